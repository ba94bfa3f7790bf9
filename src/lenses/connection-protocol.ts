// One connection read through one lens: the lens's decoder fed the connection's messages in order,
// on demand (decode on read: nothing here runs on the relay's path). Results are kept in chunks, the
// most recently read ones only, so memory stays bounded on a connection of millions of messages; a
// message whose chunk was let go is decoded again from the start (a lens's state cannot be rewound).
import type { Lens, LensConnection, LensDecoder, LensResult, ProtocolPacket } from '../protocol/lenses/lens.js';
import { PacketLinker, type PacketLinks, type PacketPosition } from '../protocol/lenses/packet-linker.js';

/** What a lens reads of a recorded message (a CapturedMessage fits). */
export interface SourceMessage {
  direction: 'send' | 'receive';
  time: number;
  message: { opcode: number; data: Uint8Array };
}

/** Where the messages come from: the capture store, or a HAR being written. */
export interface MessageSource {
  messageCount(): number;
  /** Messages start (inclusive) to end (exclusive), in order. */
  messages(start: number, end: number): SourceMessage[];
}

/** Messages per chunk of kept results, and chunks kept. */
const CHUNK = 1024;
const KEPT_CHUNKS = 64;
/** Messages read from the source per step while decoding forward. */
const READ_STEP = 512;

export class ConnectionProtocol {
  private decoder: LensDecoder;
  private linker = new PacketLinker();
  private readonly chunks = new Map<number, LensResult[]>();
  private count = 0;

  constructor(readonly lens: Lens, private readonly connection: LensConnection) {
    this.decoder = lens.decoder(connection);
  }

  /** How many messages have been decoded. */
  get decoded(): number {
    return this.count;
  }

  /** Makes messages [start, end) readable with result(): decodes forward, or again from the start when their results were let go. */
  ensure(source: MessageSource, start: number, end: number): void {
    const last = Math.min(end, source.messageCount());
    for (let chunk = Math.floor(start / CHUNK); chunk * CHUNK < Math.min(last, this.count); chunk++) {
      if (!this.chunks.has(chunk)) {
        this.restart();
        break;
      }
    }
    this.decodeTo(source, last);
  }

  /** Decodes up to message end (exclusive), or the source's end. */
  decodeTo(source: MessageSource, end: number): void {
    const target = Math.min(end, source.messageCount());
    while (this.count < target) {
      const start = this.count;
      for (const m of source.messages(start, Math.min(target, start + READ_STEP))) this.add(m);
      if (this.count === start) return;
    }
  }

  /** Decodes the next message of the connection (for a writer that walks the messages itself). */
  add(m: SourceMessage): LensResult {
    const number = this.count++;
    let result: LensResult;
    try {
      result = this.decoder.decode({ direction: m.direction, opcode: m.message.opcode, data: m.message.data });
    } catch (error) {
      // A lens must not throw; if one does, the message is shown raw with why.
      result = { packets: [], problems: [`the ${this.lens.name} lens failed: ${(error as Error).message}`] };
    }
    const chunk = Math.floor(number / CHUNK);
    let results = this.chunks.get(chunk);
    if (!results) {
      this.chunks.set(chunk, (results = []));
      while (this.chunks.size > KEPT_CHUNKS) this.chunks.delete(this.chunks.keys().next().value!);
    }
    results.push(result);
    result.packets.forEach((packet, i) => this.linker.add({ message: number, packet: i }, m.time, packet));
    return result;
  }

  /** A decoded message's result, while its chunk is kept. */
  result(number: number): LensResult | undefined {
    const results = this.chunks.get(Math.floor(number / CHUNK));
    if (!results) return undefined;
    // Most recently read last.
    this.chunks.delete(Math.floor(number / CHUNK));
    this.chunks.set(Math.floor(number / CHUNK), results);
    return results[number % CHUNK];
  }

  packets(number: number): readonly ProtocolPacket[] {
    return this.result(number)?.packets ?? [];
  }

  linksOf(position: PacketPosition): PacketLinks | undefined {
    return this.linker.linksOf(position);
  }

  private restart(): void {
    this.decoder = this.lens.decoder(this.connection);
    this.linker = new PacketLinker();
    this.chunks.clear();
    this.count = 0;
  }
}
