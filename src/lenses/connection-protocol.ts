// One connection read through one lens: the lens's decoder fed the connection's messages in order,
// on demand (decode on read: nothing here runs on the relay's path). Results are kept in chunks, the
// most recently read ones only, within a byte budget shared by every view of the engine, so memory
// stays bounded on connections of millions of messages and of big ones; a message whose chunk was let
// go is decoded again from the start (a lens's state cannot be rewound). The newest chunk always stays,
// so following a connection's tail never decodes it again. The links between requests and answers
// (PacketLinker) are kept per chunk too, and let go with the chunk's results.
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

/** Messages per chunk of kept results. */
const CHUNK = 1024;
/** What a result is counted as beyond its message's bytes (its objects). */
const RESULT_OVERHEAD = 96;
/** What a packet's links are counted as (the linker's record of it and its place in the answers). */
const LINK_OVERHEAD = 64;

interface Chunk {
  results: LensResult[];
  /** The bytes of the messages decoded into it: their parsed data is about as big. */
  bytes: number;
}

/**
 * Decoded results kept across views, counted in the bytes of the messages they came from. Over the
 * bound, the least recently read views let their oldest chunks go first.
 */
export class ResultBudget {
  /** Least recently read first. */
  private readonly views = new Set<ConnectionProtocol>();
  private total = 0;

  constructor(readonly maxBytes: number) {}

  get bytes(): number {
    return this.total;
  }

  touch(view: ConnectionProtocol): void {
    this.views.delete(view);
    this.views.add(view);
  }

  grew(view: ConnectionProtocol, bytes: number): void {
    this.total += bytes;
    if (!this.views.has(view)) this.views.add(view);
    if (this.total <= this.maxBytes) return;
    for (const v of this.views) {
      while (this.total > this.maxBytes && v.dropOldestChunk()) { /* each call gives some back */ }
      if (this.total <= this.maxBytes) return;
    }
  }

  shrank(view: ConnectionProtocol, bytes: number, gone: boolean): void {
    this.total -= bytes;
    if (gone) this.views.delete(view);
  }
}

/** The budget of a view read once in order (an export): a few chunks. */
const SOLO_BUDGET_BYTES = 8 * 1024 * 1024;
/** Messages read from the source per step while decoding forward. */
const READ_STEP = 512;

export class ConnectionProtocol {
  private decoder: LensDecoder;
  private linker = new PacketLinker({ chunkMessages: CHUNK });
  /** Most recently read last. */
  private readonly chunks = new Map<number, Chunk>();
  private count = 0;

  constructor(readonly lens: Lens, private readonly connection: LensConnection, private readonly budget = new ResultBudget(SOLO_BUDGET_BYTES)) {
    this.decoder = lens.decoder(connection);
  }

  /** How many messages have been decoded. */
  get decoded(): number {
    return this.count;
  }

  /** Makes messages [start, end) readable with result(): decodes forward, or again from the start when their results were let go. */
  ensure(source: MessageSource, start: number, end: number): void {
    this.budget.touch(this);
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
    const index = Math.floor(number / CHUNK);
    let chunk = this.chunks.get(index);
    if (!chunk) this.chunks.set(index, (chunk = { results: [], bytes: 0 }));
    chunk.results.push(result);
    let bytes = m.message.data.length + RESULT_OVERHEAD;
    result.packets.forEach((packet, i) => {
      if (!packet.link) return;
      this.linker.add({ message: number, packet: i }, m.time, packet);
      bytes += LINK_OVERHEAD;
    });
    chunk.bytes += bytes;
    this.budget.grew(this, bytes);
    return result;
  }

  /** A decoded message's result, while its chunk is kept. */
  result(number: number): LensResult | undefined {
    const index = Math.floor(number / CHUNK);
    const chunk = this.chunks.get(index);
    if (!chunk) return undefined;
    // Most recently read last.
    this.chunks.delete(index);
    this.chunks.set(index, chunk);
    return chunk.results[number % CHUNK];
  }

  /** The bytes of the results kept. */
  get keptBytes(): number {
    let bytes = 0;
    for (const chunk of this.chunks.values()) bytes += chunk.bytes;
    return bytes;
  }

  /** Lets the least recently read chunk go, never the newest; false when only that is left. */
  dropOldestChunk(): boolean {
    const newest = Math.floor((this.count - 1) / CHUNK);
    for (const [index, chunk] of this.chunks) {
      if (index === newest) continue;
      this.chunks.delete(index);
      this.linker.forgetChunk(index);
      this.budget.shrank(this, chunk.bytes, this.chunks.size === 0);
      return true;
    }
    return false;
  }

  packets(number: number): readonly ProtocolPacket[] {
    return this.result(number)?.packets ?? [];
  }

  linksOf(position: PacketPosition): PacketLinks | undefined {
    return this.linker.linksOf(position);
  }

  /** Packets whose links are kept (those of the kept chunks). */
  get linkedPackets(): number {
    return this.linker.size;
  }

  /** Requests let go unanswered because too many were waiting (since decoding last started): their answers are linked to nothing. */
  get unlinkedRequests(): number {
    return this.linker.evictedCount;
  }

  /** Lets every kept result go (the view itself is let go). */
  release(): void {
    let bytes = 0;
    for (const chunk of this.chunks.values()) bytes += chunk.bytes;
    this.chunks.clear();
    this.linker.forgetLinks();
    this.budget.shrank(this, bytes, true);
  }

  private restart(): void {
    this.release();
    this.decoder = this.lens.decoder(this.connection);
    this.linker = new PacketLinker({ chunkMessages: CHUNK });
    this.count = 0;
  }
}
