// What a replay sends and how it compares answers, over recorded messages.
import { describe, expect, it } from 'vitest';
import type { CapturedMessage } from '../../src/capture/capture-model.js';
import { compareAnswers, messagesToReplay, serverAnswers } from '../../src/proxy/replay-comparison.js';

function msg(direction: 'send' | 'receive', text: string, flags: Partial<Pick<CapturedMessage, 'injected' | 'edited' | 'dropped'>> = {}): CapturedMessage {
  const data = Buffer.from(text);
  return { direction, time: 0, message: { opcode: 1, data, truncated: false, compressed: false, size: data.length, frameIndexes: [], violations: [] }, ...flags };
}
const texts = (ms: CapturedMessage[]) => ms.map((m) => m.message.data.toString());

const recorded = [
  msg('send', 'plain'),
  msg('send', 'dropped at a breakpoint', { dropped: true }),
  msg('send', 'held original', { dropped: true, edited: true }),
  msg('send', 'the edit that replaced it', { edited: true }),
  msg('send', 'injected toward the server', { injected: true }),
  msg('receive', 'answer 1'),
  msg('receive', 'injected toward the client', { injected: true }),
  msg('receive', 'answer 2'),
];

describe('replay selection', () => {
  it('sends what the server received by default: no dropped or replaced message, edits and injections included', () => {
    expect(texts(messagesToReplay(recorded, 'received'))).toEqual(['plain', 'the edit that replaced it', 'injected toward the server']);
  });

  it('sends what the client sent on request: originals included, nothing the proxy made', () => {
    expect(texts(messagesToReplay(recorded, 'sent'))).toEqual(['plain', 'dropped at a breakpoint', 'held original']);
  });

  it('takes the server\'s own answers only, never a message injected toward the client', () => {
    expect(texts(serverAnswers(recorded))).toEqual(['answer 1', 'answer 2']);
  });
});

describe('answer comparison', () => {
  const answers = (...t: string[]) => t.map((x) => msg('receive', x));

  it('matches answers by content: one missing answer does not make the later ones different', () => {
    const c = compareAnswers(1, 2, answers('a', 'b', 'c', 'd'), answers('a', 'c', 'd'));
    expect(c).toMatchObject({ same: 3, different: 0, missing: 1, extra: 0 });
    expect(c.rows.map((r) => [r.status, r.originalIndex, r.replayedIndex])).toEqual([
      ['same', 0, 0], ['missing', 1, undefined], ['same', 2, 1], ['same', 3, 2],
    ]);
  });

  it('pairs unmatched answers by position as different, and counts the rest extra', () => {
    const c = compareAnswers(1, 2, answers('a', 'x', 'c'), answers('a', 'y', 'c', 'z'));
    expect(c.rows).toEqual([
      { index: 0, status: 'same', originalIndex: 0, replayedIndex: 0, original: 'a', replayed: 'a' },
      { index: 1, status: 'different', originalIndex: 1, replayedIndex: 1, original: 'x', replayed: 'y' },
      { index: 2, status: 'same', originalIndex: 2, replayedIndex: 2, original: 'c', replayed: 'c' },
      { index: 3, status: 'extra', replayedIndex: 3, replayed: 'z' },
    ]);
    expect(c).toMatchObject({ originalId: 1, replayId: 2, same: 2, different: 1, missing: 0, extra: 1 });
  });

  it('matches answers that came in another order as far as their order allows', () => {
    const c = compareAnswers(1, 2, answers('a', 'b'), answers('b', 'a'));
    expect(c).toMatchObject({ same: 1, different: 0, missing: 1, extra: 1 });
  });
});
