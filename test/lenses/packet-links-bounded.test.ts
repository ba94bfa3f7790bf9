// The links between requests and answers take bounded memory on long connections: at most maxOpen
// requests wait for an answer (the oldest let go past it, counted, and an answer to one let go is linked
// to nothing rather than to a wrong request), and a view keeps only the links of the chunks whose results
// it keeps; a chunk let go and decoded again from the start finds its links again, across chunk bounds.
// Messages are Socket.IO emits with ack ids and their acks, written by socket.io-parser's own encoder.
import { describe, expect, it } from 'vitest';
import { Encoder, PacketType } from 'socket.io-parser';
import { ConnectionProtocol, ResultBudget, type MessageSource, type SourceMessage } from '../../src/lenses/connection-protocol.js';
import { PacketLinker } from '../../src/protocol/lenses/packet-linker.js';
import { OpenRequests } from '../../src/protocol/lenses/open-requests.js';
import { defaultLensRegistry } from '../../src/protocol/lenses/registry.js';
import { lensConnectionOf } from '../../src/protocol/lenses/lens-connection.js';

const encoder = new Encoder();
const connection = lensConnectionOf('/socket.io/?EIO=4&transport=websocket', ['Host', 'example'], undefined);
const socketIo = defaultLensRegistry().get('socket.io')!;

/** An emit with ack id `ack` (sent), its ack (received), or a plain event carrying text (sent). */
function message(kind: 'emit' | 'ack' | 'event', n: number, text = ''): SourceMessage {
  const packet = kind === 'emit' ? { type: PacketType.EVENT, nsp: '/', data: ['m', { n }], id: n }
    : kind === 'ack' ? { type: PacketType.ACK, nsp: '/', data: [n], id: n }
      : { type: PacketType.EVENT, nsp: '/', data: ['chat', text] };
  const [encoded] = encoder.encode(packet);
  return { direction: kind === 'ack' ? 'receive' : 'send', time: 0, message: { opcode: 1, data: Buffer.from(`4${encoded as string}`) } };
}

function memorySource(messages: SourceMessage[]): MessageSource {
  return { messageCount: () => messages.length, messages: (start, end) => messages.slice(start, end) };
}

describe('the packet linker\'s bounds', () => {
  it('keeps at most maxOpen unanswered requests, counts those let go, and links an answer to one let go to nothing', () => {
    const linker = new PacketLinker({ maxOpen: 1000 });
    const decoder = socketIo.decoder(connection);
    let number = 0;
    const feed = (m: SourceMessage, time: number) => {
      const result = decoder.decode({ direction: m.direction, opcode: m.message.opcode, data: m.message.data });
      result.packets.forEach((packet, i) => linker.add({ message: number, packet: i }, time, packet));
      return number++;
    };
    for (let id = 0; id < 5000; id++) feed(message('emit', id), 1000 + id);
    expect(linker.openCount).toBe(1000);
    expect(linker.evictedCount).toBe(4000);
    // Request 3999 was let go; 4000 (message 4000) is the oldest still open.
    const lateToEvicted = feed(message('ack', 3999), 9000);
    const lateToOpen = feed(message('ack', 4000), 9000);
    expect(linker.linksOf({ message: lateToEvicted, packet: 0 })).toBeUndefined();
    expect(linker.linksOf({ message: 3999, packet: 0 })).toEqual({ answers: [], unfollowed: true });
    expect(linker.linksOf({ message: 0, packet: 0 })).toEqual({ answers: [], unfollowed: true });
    expect(linker.linksOf({ message: lateToOpen, packet: 0 })).toEqual({ request: { message: 4000, packet: 0 }, latencyMs: 4000 });
    expect(linker.linksOf({ message: 4000, packet: 0 })).toEqual({ answers: [{ message: lateToOpen, packet: 0 }], latencyMs: 4000, closed: true });
    expect(linker.openCount).toBe(999);
    expect(linker.evictedCount).toBe(4000);
    // Links are let go per chunk (1024 messages by default); the open requests stay open.
    expect(linker.size).toBe(5001);
    linker.forgetChunk(0);
    expect(linker.size).toBe(5001 - 1024);
    expect(linker.linksOf({ message: 5, packet: 0 })).toBeUndefined();
    const lateToLast = feed(message('ack', 4999), 10_000);
    expect(linker.linksOf({ message: lateToLast, packet: 0 })).toEqual({ request: { message: 4999, packet: 0 }, latencyMs: 4001 });
  });
});

describe('a long subscription', () => {
  it('keeps its first 1000 answers in place and counts the rest', () => {
    const connection = lensConnectionOf('/graphql', ['Sec-WebSocket-Protocol', 'graphql-transport-ws'], 'graphql-transport-ws');
    const decoder = defaultLensRegistry().get('graphql-transport-ws')!.decoder(connection);
    const linker = new PacketLinker({ chunkMessages: 1_000_000 });
    const texts = [
      JSON.stringify({ id: '1', type: 'subscribe', payload: { query: 'subscription OnChat { chat }' } }),
      ...Array.from({ length: 1500 }, (_, i) => JSON.stringify({ id: '1', type: 'next', payload: { data: { chat: i } } })),
      JSON.stringify({ id: '1', type: 'complete' }),
    ];
    texts.forEach((text, number) => {
      const result = decoder.decode({ direction: number === 0 ? 'send' : 'receive', opcode: 1, data: Buffer.from(text) });
      result.packets.forEach((packet, i) => linker.add({ message: number, packet: i }, 100 + number, packet));
    });
    const links = linker.linksOf({ message: 0, packet: 0 })!;
    expect(links.answers).toEqual(Array.from({ length: 1000 }, (_, i) => ({ message: i + 1, packet: 0 })));
    expect(links).toMatchObject({ moreAnswers: 501, latencyMs: 1, closed: true });
    expect(linker.linksOf({ message: 1501, packet: 0 })).toEqual({ request: { message: 0, packet: 0 }, latencyMs: 1501 });
  });
});

describe('open requests', () => {
  it('lets the oldest still open go first, past closed and reopened keys, however many came before', () => {
    const open = new OpenRequests(3);
    const at = (message: number) => ({ message, packet: 0, time: message });
    // Thousands of requests answered at once leave nothing behind to let go.
    for (let i = 0; i < 5000; i++) {
      expect(open.open(`done:${i}`, at(i))).toEqual([]);
      open.close(`done:${i}`);
    }
    expect(open.open('a', at(10_000))).toEqual([]);
    expect(open.open('b', at(10_001))).toEqual([]);
    open.close('a');
    expect(open.open('a', at(10_002))).toEqual([]);
    expect(open.open('c', at(10_003))).toEqual([]);
    expect(open.open('d', at(10_004))).toEqual([at(10_001)]);
    expect(open.open('e', at(10_005))).toEqual([at(10_002)]);
    expect(open.get('a')).toBeUndefined();
    expect(open.get('c')).toEqual(at(10_003));
    expect(open.size).toBe(3);
    expect(open.evicted).toBe(2);
  });
});

describe('a view\'s links', () => {
  // Emits 1000..1023 (the end of chunk 0) acked at 1030..1053 (chunk 1); emit 10 acked at 5000; 2 KiB
  // events between them; message n at time 10n.
  function connectionMessages(): SourceMessage[] {
    const text = 'x'.repeat(2048);
    const messages: SourceMessage[] = [];
    for (let n = 0; n < 6000; n++) {
      const m = n === 10 ? message('emit', 10) : n === 5000 ? message('ack', 10)
        : n >= 1000 && n < 1024 ? message('emit', n) : n >= 1030 && n < 1054 ? message('ack', n - 30)
          : message('event', n, text);
      messages.push({ ...m, time: 10 * n });
    }
    return messages;
  }

  it('links a request and its answer far apart while both are kept', () => {
    const view = new ConnectionProtocol(socketIo, connection, new ResultBudget(64 * 1024 * 1024));
    view.ensure(memorySource(connectionMessages()), 0, 6000);
    expect(view.linksOf({ message: 10, packet: 0 })).toEqual({ answers: [{ message: 5000, packet: 0 }], latencyMs: 49_900, closed: true });
    expect(view.linksOf({ message: 5000, packet: 0 })).toEqual({ request: { message: 10, packet: 0 }, latencyMs: 49_900 });
    expect(view.linkedPackets).toBe(2 + 48);
  });

  it('lets links go with their chunk and finds them again, across a chunk bound, when the chunk is decoded again', () => {
    // About two chunks of 2 KiB events fit.
    const view = new ConnectionProtocol(socketIo, connection, new ResultBudget(5 * 1024 * 1024));
    const source = memorySource(connectionMessages());
    view.ensure(source, 0, 6000);
    // Chunks 0 and 1 were let go, and their links with them; the newest chunks' are kept.
    expect(view.result(1000)).toBeUndefined();
    expect(view.linksOf({ message: 1000, packet: 0 })).toBeUndefined();
    expect(view.linksOf({ message: 1030, packet: 0 })).toBeUndefined();
    expect(view.linkedPackets).toBe(1);
    // The ack at 5000 is kept and still points to its emit, whose chunk was let go.
    expect(view.linksOf({ message: 5000, packet: 0 })).toEqual({ request: { message: 10, packet: 0 }, latencyMs: 49_900 });
    // Decoded again from the start: the pairs across the bound of chunks 0 and 1 are linked again.
    view.ensure(source, 1000, 1060);
    expect(view.result(1000)?.packets[0]).toMatchObject({ type: 'EVENT', event: 'm', id: 1000 });
    for (let id = 1000; id < 1024; id++) {
      expect(view.linksOf({ message: id, packet: 0 }), `${id}`).toEqual({ answers: [{ message: id + 30, packet: 0 }], latencyMs: 300, closed: true });
      expect(view.linksOf({ message: id + 30, packet: 0 }), `${id + 30}`).toEqual({ request: { message: id, packet: 0 }, latencyMs: 300 });
    }
    expect(view.linksOf({ message: 10, packet: 0 })).toEqual({ answers: [] });
    expect(view.unlinkedRequests).toBe(0);
  });
});
