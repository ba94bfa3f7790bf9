// Pairs a connection's packets by their PacketLink: each request with its answers (an ack with its
// emit, a JSON-RPC response with its request, a GraphQL subscription's `next`s and `complete` with its
// `subscribe`), and the time between them. Fed packets in connection order. Its memory is bounded so it
// can run over millions of messages: the links are kept per chunk of messages and let go with the
// chunk (forgetChunk; the view that keeps a chunk's decoded results lets its links go with them, and
// decoding the chunk again from the start finds them again), and at most maxOpen requests wait for an
// answer (OpenRequests: past it the oldest is let go, and an answer to it is linked to nothing).
import type { ProtocolPacket } from './lens.js';
import { OpenRequests } from './open-requests.js';

/** Where a packet is: its message's number in the connection, and its place among that message's packets. */
export interface PacketPosition {
  message: number;
  packet: number;
}

/** What the linker knows of one packet. */
export interface PacketLinks {
  /** For an answer: its request, when one was seen. */
  request?: PacketPosition;
  /** For a request: its answers so far, in order. */
  answers?: PacketPosition[];
  /** For an answer: milliseconds from its request to it. For a request: to its first answer. */
  latencyMs?: number;
  /** For a request: answers after the first MAX_ANSWERS_KEPT (a long subscription's), counted only. */
  moreAnswers?: number;
  /** For a request: whether an answer closed the pair. */
  closed?: boolean;
  /**
   * For a request: it was let go while waiting, because more than maxOpen requests were: answers after
   * that are linked to nothing (not to it, nor to a wrong request).
   */
  unfollowed?: boolean;
}

export interface PacketLinkerOptions {
  /** Messages per chunk of kept links (the view's chunk of kept results). */
  chunkMessages?: number;
  /** Requests waiting for an answer at most; past it the oldest is let go. */
  maxOpen?: number;
}

export const DEFAULT_LINK_CHUNK = 1024;
export const DEFAULT_MAX_OPEN = 100_000;
/** A request's answers kept in place at most (a GraphQL subscription may have millions of `next`s). */
export const MAX_ANSWERS_KEPT = 1000;

/** One packet's links, flat: an answer's request as two numbers, a request's answers as pairs. */
class KeptLinks {
  /** An answer's request message, -1 for a request. */
  requestMessage = -1;
  requestPacket = 0;
  latencyMs: number | undefined = undefined;
  /** A request's answers: message, packet, message, packet, ... */
  answers: number[] | undefined = undefined;
  moreAnswers = 0;
  closed = false;
  unfollowed = false;
}

export class PacketLinker {
  private readonly chunkMessages: number;
  private readonly open: OpenRequests;
  /** Chunk number -> slot in the chunk (see slotOf) -> links. */
  private readonly chunks = new Map<number, Map<number, KeptLinks>>();
  private kept = 0;

  constructor(options: PacketLinkerOptions = {}) {
    this.chunkMessages = options.chunkMessages ?? DEFAULT_LINK_CHUNK;
    this.open = new OpenRequests(options.maxOpen ?? DEFAULT_MAX_OPEN);
  }

  /** Takes the next packet of the connection; time is its message's time, epoch ms. */
  add(position: PacketPosition, time: number, packet: ProtocolPacket): void {
    const link = packet.link;
    if (!link) return;
    if (link.role === 'request') {
      // A request whose key is still open starts a new pair: the old one stays unanswered.
      for (const evicted of this.open.open(link.key, { message: position.message, packet: position.packet, time })) {
        const links = this.get(evicted);
        if (links) links.unfollowed = true;
      }
      const request = new KeptLinks();
      request.answers = [];
      this.put(position, request);
      return;
    }
    const request = this.open.get(link.key);
    if (!request) return;
    const latencyMs = time - request.time;
    const answer = new KeptLinks();
    answer.requestMessage = request.message;
    answer.requestPacket = request.packet;
    answer.latencyMs = latencyMs;
    this.put(position, answer);
    // The request's own links are gone when its chunk was let go: decoding it again finds them again.
    const requestLinks = this.get(request);
    if (requestLinks) {
      if (requestLinks.answers!.length < 2 * MAX_ANSWERS_KEPT) requestLinks.answers!.push(position.message, position.packet);
      else requestLinks.moreAnswers++;
      requestLinks.latencyMs ??= latencyMs;
    }
    if (link.final) {
      if (requestLinks) requestLinks.closed = true;
      this.open.close(link.key);
    }
  }

  /** The links of a packet, if it has any and its chunk is kept. */
  linksOf(position: PacketPosition): PacketLinks | undefined {
    const kept = this.get(position);
    if (!kept) return undefined;
    if (kept.answers) {
      const answers: PacketPosition[] = [];
      for (let i = 0; i < kept.answers.length; i += 2) answers.push({ message: kept.answers[i]!, packet: kept.answers[i + 1]! });
      return { answers, ...(kept.moreAnswers > 0 ? { moreAnswers: kept.moreAnswers } : {}), ...(kept.latencyMs !== undefined ? { latencyMs: kept.latencyMs } : {}), ...(kept.closed ? { closed: true } : {}), ...(kept.unfollowed ? { unfollowed: true } : {}) };
    }
    return { request: { message: kept.requestMessage, packet: kept.requestPacket }, latencyMs: kept.latencyMs! };
  }

  /** Lets the links of chunk index's messages go (the requests they hold stay open). */
  forgetChunk(index: number): void {
    const chunk = this.chunks.get(index);
    if (!chunk) return;
    this.kept -= chunk.size;
    this.chunks.delete(index);
  }

  /** Lets every kept link go (the requests stay open). */
  forgetLinks(): void {
    this.chunks.clear();
    this.kept = 0;
  }

  /** Packets whose links are kept. */
  get size(): number {
    return this.kept;
  }

  /** Requests still waiting for a closing answer. */
  get openCount(): number {
    return this.open.size;
  }

  /** Requests let go unanswered because more than maxOpen were waiting: answers to them are linked to nothing. */
  get evictedCount(): number {
    return this.open.evicted;
  }

  /** A packet's place in its chunk's map: a small number, unique however many packets a message holds. */
  private slotOf(p: PacketPosition): number {
    return (p.message % this.chunkMessages) + p.packet * this.chunkMessages;
  }

  private put(position: PacketPosition, links: KeptLinks): void {
    const index = Math.floor(position.message / this.chunkMessages);
    let chunk = this.chunks.get(index);
    if (!chunk) this.chunks.set(index, (chunk = new Map()));
    const slot = this.slotOf(position);
    if (!chunk.has(slot)) this.kept++;
    chunk.set(slot, links);
  }

  private get(position: PacketPosition): KeptLinks | undefined {
    return this.chunks.get(Math.floor(position.message / this.chunkMessages))?.get(this.slotOf(position));
  }
}
