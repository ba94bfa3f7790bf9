// TCP connections in a capture, told apart by their addresses and ports (and, when a port pair is used
// again, by a new SYN), each with its two directions reassembled. Which side is the client is known
// from the SYN; a connection whose SYN is not in the capture leaves it to the caller to tell.
import { TcpDirection, type DirectionSink } from './tcp-direction.js';
import type { TcpSegment } from './tcp-segment.js';

/** One side of a connection. */
export interface Endpoint {
  address: string;
  port: number;
}

/** What one connection's bytes go to. Side 0 is the side that sent the first segment seen. */
export interface ConversationHandler {
  data(side: 0 | 1, bytes: Buffer, time: number): void;
  gap(side: 0 | 1, length: number, time: number): void;
  differs(side: 0 | 1, length: number, time: number): void;
  /** A side sent its FIN (in order) or a RST. */
  ended(side: 0 | 1, how: 'fin' | 'rst', time: number): void;
  /** Both sides are done, or the capture ended: nothing more comes. */
  closed(time: number): void;
}

export class TcpConversation {
  readonly sides: [TcpDirection, TcpDirection];
  /** The side that sent the SYN, when the SYN is in the capture. */
  client: 0 | 1 | undefined;
  private done = false;
  private readonly told: [boolean, boolean] = [false, false];

  constructor(readonly endpoints: [Endpoint, Endpoint], private readonly handler: ConversationHandler) {
    const sink = (side: 0 | 1): DirectionSink => ({
      data: (bytes, time) => handler.data(side, bytes, time),
      gap: (length, time) => handler.gap(side, length, time),
      differs: (length, time) => handler.differs(side, length, time),
    });
    this.sides = [new TcpDirection(sink(0)), new TcpDirection(sink(1))];
  }

  get closed(): boolean {
    return this.done;
  }

  segment(side: 0 | 1, s: TcpSegment, time: number): void {
    if (this.done) return;
    if (s.syn && !s.ackFlag) this.client = side;
    else if (s.syn && s.ackFlag && this.client === undefined) this.client = side === 0 ? 1 : 0;
    const other = this.sides[side === 0 ? 1 : 0];
    this.sides[side].segment(s.seq, s.payload, s.payloadLength, s, time);
    if (s.ackFlag) other.acknowledged(s.ack, time);
    this.tellEnds(time);
    if (s.rst) this.close(time);
    else if (this.sides[0].ended && this.sides[1].ended) this.close(time);
  }

  /** Delivers what waits (holes as gaps) and tells the handler the connection is over. */
  close(time: number): void {
    if (this.done) return;
    this.done = true;
    this.sides[0].finish(time);
    this.sides[1].finish(time);
    this.tellEnds(time);
    this.handler.closed(time);
  }

  private tellEnds(time: number): void {
    for (const side of [0, 1] as const) {
      const how = this.sides[side].ended;
      if (how && !this.told[side]) {
        this.told[side] = true;
        this.handler.ended(side, how, time);
      }
    }
  }
}

/** Closed pairs remembered. */
const RECENTLY_CLOSED = 10_000;

/** Every connection in a capture, found by its address and port pair. */
export class TcpConversations {
  private readonly open = new Map<string, TcpConversation>();
  /** Pairs whose connection closed lately: their stragglers (last ACKs, late retransmissions) start nothing. */
  private readonly recentlyClosed = new Set<string>();

  /** makeHandler is asked for each new connection's handler. */
  constructor(private readonly makeHandler: (endpoints: [Endpoint, Endpoint], conversation: () => TcpConversation) => ConversationHandler) {}

  segment(s: TcpSegment, time: number): void {
    const a = `${s.source}|${s.sourcePort}`;
    const b = `${s.destination}|${s.destinationPort}`;
    const key = a < b ? `${a}|${b}` : `${b}|${a}`;
    let conversation = this.open.get(key);
    // A new SYN on a pair whose connection ended, or with another initial sequence number: a new connection.
    if (conversation && s.syn && !s.ackFlag) {
      const side = conversation.endpoints[0].address === s.source && conversation.endpoints[0].port === s.sourcePort ? 0 : 1;
      const isn = conversation.sides[side].isn;
      if (conversation.closed || (isn !== undefined && isn !== s.seq)) {
        conversation.close(time);
        conversation = undefined;
      }
    }
    if (conversation?.closed && s.syn) conversation = undefined;
    if (!conversation) {
      if (s.rst || (this.recentlyClosed.has(key) && !s.syn)) return;
      this.recentlyClosed.delete(key);
      const endpoints: [Endpoint, Endpoint] = [{ address: s.source, port: s.sourcePort }, { address: s.destination, port: s.destinationPort }];
      const made: TcpConversation = new TcpConversation(endpoints, this.makeHandler(endpoints, () => made));
      conversation = made;
      this.open.set(key, conversation);
    }
    const side = conversation.endpoints[0].address === s.source && conversation.endpoints[0].port === s.sourcePort ? 0 : 1;
    conversation.segment(side, s, time);
    if (conversation.closed) {
      this.open.delete(key);
      this.recentlyClosed.add(key);
      // Insertion order: the oldest goes first.
      if (this.recentlyClosed.size > RECENTLY_CLOSED) this.recentlyClosed.delete(this.recentlyClosed.values().next().value!);
    }
  }

  /** The capture ended: every connection still open is closed. */
  finish(time: number): void {
    for (const conversation of this.open.values()) conversation.close(time);
    this.open.clear();
  }

  /** Connections open now (for memory figures). */
  get size(): number {
    return this.open.size;
  }
}
