// The lenses' decoded results stay within one byte budget however many messages are read and however
// big: the least recently read chunks go first, the newest chunk of each view stays, so following a
// connection's tail never decodes it again from the start. Messages are Socket.IO events written by
// socket.io-parser's own encoder.
import { describe, expect, it } from 'vitest';
import { Encoder, PacketType } from 'socket.io-parser';
import { ConnectionProtocol, ResultBudget, type MessageSource, type SourceMessage } from '../../src/lenses/connection-protocol.js';
import { defaultLensRegistry } from '../../src/protocol/lenses/registry.js';
import { lensConnectionOf } from '../../src/protocol/lenses/lens-connection.js';

const encoder = new Encoder();

/** A connection's messages in memory; remembers where each read started. */
function chatSource(text: string): MessageSource & { push(n: number): void; reads: number[] } {
  const messages: SourceMessage[] = [];
  const reads: number[] = [];
  return {
    reads,
    push(n) {
      for (let i = 0; i < n; i++) {
        const number = messages.length;
        const [encoded] = encoder.encode({ type: PacketType.EVENT, nsp: '/', data: ['message', { n: number, text }] });
        messages.push({ direction: 'send', time: number, message: { opcode: 1, data: Buffer.from(`4${encoded as string}`) } });
      }
    },
    messageCount: () => messages.length,
    messages: (start, end) => {
      reads.push(start);
      return messages.slice(start, end);
    },
  };
}

function socketIoView(budget: ResultBudget): ConnectionProtocol {
  const connection = lensConnectionOf('/socket.io/?EIO=4&transport=websocket', ['Host', 'example'], undefined);
  return new ConnectionProtocol(defaultLensRegistry().get('socket.io')!, connection, budget);
}

describe('the lenses\' result budget', () => {
  it('keeps 20 MB of decoded 1 KiB events within a 4 MiB budget, and decodes a let-go message again exactly', () => {
    const budget = new ResultBudget(4 * 1024 * 1024);
    const view = socketIoView(budget);
    const source = chatSource('x'.repeat(1000));
    source.push(20_000);
    view.ensure(source, 0, 20_000);
    expect(view.decoded).toBe(20_000);
    expect(budget.bytes).toBeLessThanOrEqual(4 * 1024 * 1024);
    expect(view.keptBytes).toBe(budget.bytes);
    // The newest messages are kept; the first were let go.
    expect(view.result(19_999)?.packets[0]).toMatchObject({ type: 'EVENT', event: 'message', data: [{ n: 19_999 }] });
    expect(view.result(5)).toBeUndefined();
    view.ensure(source, 5, 6);
    expect(view.result(5)?.packets[0]).toMatchObject({ type: 'EVENT', event: 'message', data: [{ n: 5 }] });
    expect(budget.bytes).toBeLessThanOrEqual(4 * 1024 * 1024);
  });

  it('follows two connections\' tails in one small budget without ever decoding either from the start again', () => {
    // Each message is ~17 KiB: one chunk of a view (1024 messages) is over the whole budget.
    const budget = new ResultBudget(2 * 1024 * 1024);
    const a = socketIoView(budget);
    const b = socketIoView(budget);
    const sa = chatSource('a'.repeat(17_000));
    const sb = chatSource('b'.repeat(17_000));
    for (let step = 0; step < 30; step++) {
      // As a UI reading the newest 40 rows of both, 10 times a second, while 100 messages arrive on each.
      sa.push(100);
      sb.push(100);
      for (const [view, source] of [[a, sa], [b, sb]] as const) {
        const count = source.messageCount();
        view.ensure(source, count - 40, count);
        for (let n = count - 40; n < count; n++) expect(view.result(n)?.packets[0]?.event).toBe('message');
      }
    }
    // Every read went on from where the view was: none started before a message already decoded.
    for (const reads of [sa.reads, sb.reads]) {
      expect(reads.filter((start) => start === 0)).toHaveLength(1);
      expect([...reads].sort((x, y) => x - y)).toEqual(reads);
    }
    expect(a.decoded).toBe(3000);
    expect(b.decoded).toBe(3000);
  });
});
