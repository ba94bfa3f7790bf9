// The capture import's pipeline, sans-IO: file bytes -> packets (capture-reader.ts) -> TCP segments
// (tcp-segment.ts) -> connections put back in order (tcp-conversations.ts) -> WebSocket connections
// decoded into the session (websocket-conversation.ts). Memory holds the connections open at a time,
// each with what waits out of order and the frame or message being decoded, never the file.
import { DEFAULT_MAX_STORED_PAYLOAD } from '../../protocol/frame-parser.js';
import { CaptureImportError, type CaptureProblem, type CaptureProblemCode } from './capture-problems.js';
import { CaptureReader, type CaptureFormat, type CapturedPacket } from './capture-reader.js';
import { TcpConversations } from './tcp-conversations.js';
import { tcpSegmentOf } from './tcp-segment.js';
import type { KeyLog } from './tls/key-log.js';
import { WebSocketConversation, type ImportContext, type SessionWriter } from './websocket-conversation.js';

/** Problems of one kind about single packets listed before the rest are only counted. */
const LISTED_PER_CODE = 20;

export interface CaptureImportResult {
  format: CaptureFormat;
  packets: number;
  /** WebSocket connections (and refused or unanswered handshakes) written to the session. */
  connections: number;
  /** TLS connections listed as encrypted. */
  encrypted: number;
  problems: CaptureProblem[];
}

export interface CaptureImporterOptions {
  /** Payload bytes kept per frame. Default 1 MiB. */
  maxStoredPayload?: number;
  /** TLS secrets (NSS key log) to decrypt TLS connections with. */
  keyLog?: KeyLog;
}

export class CaptureImporter {
  private readonly reader: CaptureReader;
  private readonly conversations: TcpConversations;
  private readonly problems: CaptureProblem[] = [];
  private readonly packetProblems = new Map<CaptureProblemCode, number>();
  private readonly counts = { websocket: 0, encrypted: 0 };
  private nextId = 1;
  private lastTime = 0;

  constructor(writer: SessionWriter, options: CaptureImporterOptions = {}) {
    const ctx: ImportContext = {
      writer,
      nextId: () => this.nextId++,
      problem: (p) => this.problems.push(p),
      maxStoredPayload: options.maxStoredPayload ?? DEFAULT_MAX_STORED_PAYLOAD,
      counts: this.counts,
      ...(options.keyLog ? { keyLog: options.keyLog } : {}),
    };
    this.conversations = new TcpConversations((endpoints, tcp) => new WebSocketConversation(ctx, endpoints, tcp));
    this.reader = new CaptureReader({
      onPacket: (packet) => this.packet(packet),
      onProblem: (problem) => this.problems.push(problem),
    });
  }

  /** Connections written so far. */
  get connections(): number {
    return this.counts.websocket;
  }

  /** Reads the next bytes of the file. */
  push(chunk: Buffer): void {
    this.reader.push(chunk);
  }

  /** The file ended. Throws CaptureImportError when it was not a capture at all. */
  end(): CaptureImportResult {
    this.reader.end();
    this.conversations.finish(this.lastTime);
    const format = this.reader.fileFormat;
    if (!format) {
      const first = this.problems[0]!;
      throw new CaptureImportError(first.code, first.message);
    }
    for (const [code, count] of this.packetProblems) {
      if (count > LISTED_PER_CODE) this.problems.push({ code, message: `${count - LISTED_PER_CODE} more packets with this problem are not listed` });
    }
    return { format, packets: this.reader.packetCount, connections: this.counts.websocket, encrypted: this.counts.encrypted, problems: this.problems };
  }

  private packet(packet: CapturedPacket): void {
    this.lastTime = packet.time;
    const segment = tcpSegmentOf(packet.linkType, packet.data);
    if ('kind' in segment) {
      switch (segment.kind) {
        case 'not-tcp':
          return;
        case 'unknown-link-type':
          return this.packetProblem(packet, 'unknown-link-type', `link type ${segment.linkType} (interface ${packet.interfaceId}) is not one this import reads (Ethernet, Linux SLL and SLL2, raw IP, null/loopback); the packet is skipped`);
        case 'fragment':
          return this.packetProblem(packet, 'ip-fragment', 'an IP fragment: fragments are not reassembled; the packet is skipped');
        case 'bad':
          return this.packetProblem(packet, 'bad-packet', `${segment.reason}; the packet is skipped`);
      }
    }
    if (segment.payload.length < segment.payloadLength) {
      this.packetProblem(packet, 'snaplen-truncated', `the capture kept ${packet.data.length} of its ${packet.originalLength} bytes: ${segment.payloadLength - segment.payload.length} bytes of TCP payload (${segment.source}:${segment.sourcePort} -> ${segment.destination}:${segment.destinationPort}) are missing`);
    }
    this.conversations.segment(segment, packet.time);
  }

  private packetProblem(packet: CapturedPacket, code: CaptureProblemCode, message: string): void {
    const count = (this.packetProblems.get(code) ?? 0) + 1;
    this.packetProblems.set(code, count);
    if (count <= LISTED_PER_CODE) this.problems.push({ code, packet: packet.number, message });
  }
}
