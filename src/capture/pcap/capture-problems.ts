// What a capture import names when it reads something it cannot use: each problem has a stable code,
// the packet or connection it concerns, and one line that says what was skipped or assumed.

export type CaptureProblemCode =
  /** Nothing in the file. */
  | 'empty-file'
  /** The first bytes are neither a pcap nor a pcapng header. */
  | 'wrong-magic'
  /** The file ends inside a record or block. */
  | 'truncated-file'
  /** A record or block whose lengths do not add up. */
  | 'damaged-record'
  /** A pcapng packet names an interface no IDB described. */
  | 'unknown-interface'
  /** A link type this reader does not decode (its packets are skipped). */
  | 'unknown-link-type'
  /** A packet cut by the snapshot length: the bytes past it are missing from its stream. */
  | 'snaplen-truncated'
  /** An IP or TCP header that does not parse. */
  | 'bad-packet'
  /** An IP fragment: fragments are not reassembled. */
  | 'ip-fragment'
  /** Bytes of a TCP stream that are not in the capture. */
  | 'stream-gap'
  /** A retransmission or overlap whose bytes differ from the first copy (the first copy is kept). */
  | 'retransmission-differs'
  /** The capture starts after the connection did. */
  | 'mid-stream'
  /** Bytes skipped before the first WebSocket frame boundary that parses. */
  | 'skipped-bytes'
  /** A TLS connection: its content is encrypted. */
  | 'encrypted';

export interface CaptureProblem {
  code: CaptureProblemCode;
  /** One line: what is wrong and what the import did about it. */
  message: string;
  /** The packet it concerns (number in the file, from 1). */
  packet?: number;
  /** The connection of the session it concerns. */
  connectionId?: number;
}

/** A capture that cannot be read at all: not a capture file, or empty. */
export class CaptureImportError extends Error {
  override name = 'CaptureImportError';
  constructor(readonly code: CaptureProblemCode, message: string) {
    super(message);
  }
}

/** One line: `packet 12: snaplen-truncated: ...` or `connection 3: stream-gap: ...`. */
export function formatCaptureProblem(problem: CaptureProblem): string {
  const where = problem.connectionId !== undefined ? `connection ${problem.connectionId}: ` : problem.packet !== undefined ? `packet ${problem.packet}: ` : '';
  return `${where}${problem.code}: ${problem.message}`;
}
