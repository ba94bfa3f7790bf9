// The violation catalogue, copied from src/protocol/violations.ts because the renderer may not import
// runtime code from the engine. Keep the two in step: the codes are stable and never renamed.
// (A `describe` command on the control API would let the engine be the only source.)

export interface ViolationText {
  /** What is wrong, in one line. */
  explanation: string;
  /** The RFC and section that the traffic breaks. */
  rfc: string;
  /** The close code a conforming receiver would fail the connection with. */
  closeCode: number;
}

const VIOLATIONS: Readonly<Record<string, ViolationText>> = {
  'unmasked-client-frame': { explanation: 'A frame from the client was not masked; clients must mask every frame.', rfc: 'RFC 6455 §5.1', closeCode: 1002 },
  'masked-server-frame': { explanation: 'A frame from the server was masked; servers must not mask frames.', rfc: 'RFC 6455 §5.1', closeCode: 1002 },
  'reserved-opcode': { explanation: 'The frame uses a reserved opcode (3-7 or 11-15) that no extension defined.', rfc: 'RFC 6455 §5.2', closeCode: 1002 },
  'rsv-without-extension': { explanation: 'An RSV bit is set but no negotiated extension gives it a meaning.', rfc: 'RFC 6455 §5.2', closeCode: 1002 },
  'rsv1-on-control-frame': { explanation: 'RSV1 (compressed) is set on a control frame; control frames are never compressed.', rfc: 'RFC 7692 §6.1', closeCode: 1002 },
  'rsv1-on-continuation-frame': { explanation: 'RSV1 (compressed) is set on a continuation frame; only the first frame of a message carries it.', rfc: 'RFC 7692 §6.1', closeCode: 1002 },
  'control-frame-too-long': { explanation: 'A control frame has a payload over 125 bytes.', rfc: 'RFC 6455 §5.5', closeCode: 1002 },
  'fragmented-control-frame': { explanation: 'A control frame has FIN clear; control frames must not be fragmented.', rfc: 'RFC 6455 §5.5', closeCode: 1002 },
  'unexpected-continuation': { explanation: 'A continuation frame arrived with no fragmented message in progress.', rfc: 'RFC 6455 §5.4', closeCode: 1002 },
  'interleaved-data-frame': { explanation: 'A new text or binary frame started while a fragmented message was unfinished.', rfc: 'RFC 6455 §5.4', closeCode: 1002 },
  'invalid-utf8': { explanation: 'A text message is not valid UTF-8.', rfc: 'RFC 6455 §5.6, §8.1', closeCode: 1007 },
  'close-payload-too-short': { explanation: 'A close frame has a 1-byte payload; it must be empty or start with a 2-byte code.', rfc: 'RFC 6455 §5.5.1', closeCode: 1002 },
  'invalid-close-code': { explanation: 'The close code may not be sent on the wire (0-999, 1004-1006, 1015, 1016-2999, or 5000 and above).', rfc: 'RFC 6455 §7.4', closeCode: 1002 },
  'invalid-utf8-close-reason': { explanation: 'The close reason is not valid UTF-8.', rfc: 'RFC 6455 §5.5.1', closeCode: 1007 },
  'non-minimal-length': { explanation: 'The payload length uses a longer form than needed; the minimal number of bytes must be used.', rfc: 'RFC 6455 §5.2', closeCode: 1002 },
  'length-top-bit-set': { explanation: 'The 64-bit payload length has its most significant bit set.', rfc: 'RFC 6455 §5.2', closeCode: 1002 },
  'frame-after-close': { explanation: 'The peer sent a frame after its close frame.', rfc: 'RFC 6455 §5.5.1', closeCode: 1002 },
  'truncated-frame': { explanation: 'The connection ended in the middle of a frame.', rfc: 'RFC 6455 §5.2', closeCode: 1006 },
  'unfinished-message': { explanation: 'The connection ended, or a close frame came, while a fragmented message was unfinished.', rfc: 'RFC 6455 §5.4', closeCode: 1006 },
  'inflate-failed': { explanation: 'A compressed message could not be decompressed with the negotiated parameters.', rfc: 'RFC 7692 §7.2.2', closeCode: 1007 },
  'inflated-too-large': { explanation: 'A compressed message inflates past the configured cap (a possible zip bomb); decoding stopped.', rfc: 'RFC 7692 §8.1', closeCode: 1009 },
  'message-too-large': { explanation: 'A message is larger than the configured maximum; only its start was kept.', rfc: 'RFC 6455 §10.4', closeCode: 1009 },
};

/** Every known code, in catalogue order (for the violation filter). */
export const VIOLATION_CODES: readonly string[] = Object.keys(VIOLATIONS);

/** The catalogue text of a code; an unknown code (a newer engine) still gets a readable line. */
export function describeViolation(code: string): ViolationText {
  return VIOLATIONS[code] ?? { explanation: `Violation "${code}" (not in this UI's catalogue).`, rfc: 'RFC 6455', closeCode: 1002 };
}
