// Pairs a connection's packets by their PacketLink: each request with its answers (an ack with its
// emit, a JSON-RPC response with its request, a GraphQL subscription's `next`s and `complete` with its
// `subscribe`), and the time between them. Fed packets in connection order, it keeps only the pairs
// still open and the links it found, so it can run over millions of messages.
import type { ProtocolPacket } from './lens.js';

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
  /** For a request: whether an answer closed the pair. */
  closed?: boolean;
}

interface OpenRequest {
  position: PacketPosition;
  time: number;
}

const keyOf = (p: PacketPosition) => `${p.message}:${p.packet}`;

export class PacketLinker {
  private readonly open = new Map<string, OpenRequest>();
  private readonly links = new Map<string, PacketLinks>();

  /** Takes the next packet of the connection; time is its message's time, epoch ms. */
  add(position: PacketPosition, time: number, packet: ProtocolPacket): void {
    const link = packet.link;
    if (!link) return;
    if (link.role === 'request') {
      // A request whose key is still open starts a new pair: the old one stays unanswered.
      this.open.set(link.key, { position, time });
      this.links.set(keyOf(position), { answers: [] });
      return;
    }
    const request = this.open.get(link.key);
    if (!request) return;
    const latencyMs = time - request.time;
    this.links.set(keyOf(position), { request: request.position, latencyMs });
    const requestLinks = this.links.get(keyOf(request.position))!;
    requestLinks.answers!.push(position);
    requestLinks.latencyMs ??= latencyMs;
    if (link.final) {
      requestLinks.closed = true;
      this.open.delete(link.key);
    }
  }

  /** The links of a packet, if it has any. */
  linksOf(position: PacketPosition): PacketLinks | undefined {
    const links = this.links.get(keyOf(position));
    return links && { ...links, ...(links.answers ? { answers: [...links.answers] } : {}) };
  }

  /** Requests still waiting for a closing answer. */
  get openCount(): number {
    return this.open.size;
  }
}
