// The mock's script matcher as a playbook: recorded messages in, planned sends out, no sockets.
import { describe, expect, it } from 'vitest';
import { ScriptMatcher, type MatchLevel, type MockTiming, type PlannedSend, type ScriptItem } from '../../src/mock/script-matcher.js';
import { jsonFieldKeys, protocolKeysFor } from '../../src/mock/protocol-keys.js';

const send = (text: string, time: number): ScriptItem => ({ direction: 'send', opcode: 1, data: Buffer.from(text), time });
const receive = (text: string, time: number): ScriptItem => ({ direction: 'receive', opcode: 1, data: Buffer.from(text), time });

// Opened at 1000: a push at +50, then three turns; the third answer comes 300 ms after its question.
const RECORDING: ScriptItem[] = [
  receive('welcome', 1050),
  send('{"type":"get","id":1}', 1100), receive('{"type":"value","id":1,"v":42}', 1110), receive('tick', 1400),
  send('ping', 2000), receive('pong', 2005),
  send('{"type":"set","id":2}', 3000), receive('{"type":"ok","id":2}', 3300),
];

function matcher(level: MatchLevel, timing: MockTiming = 'fast', items = RECORDING) {
  return new ScriptMatcher(items, 1000, undefined, { level, timing, recordedKeys: jsonFieldKeys(), liveKeys: jsonFieldKeys() });
}
const texts = (planned: PlannedSend[]) => planned.map((p) => (p.kind === 'message' ? p.data.toString() : `close ${p.code} ${p.reason}`));

describe('the script matcher', () => {
  it('sends the opening pushes at their recorded distance from the open', () => {
    const m = matcher('order', 'recorded');
    expect(m.open(10_000).map((p) => [p.kind, p.due])).toEqual([['message', 10_050]]);
    expect(m.turnCount).toBe(3);
    expect(m.answerCount).toBe(5);
  });

  it('answers an exact message with the server messages that followed it, at their recorded delays', () => {
    const m = matcher('content', 'recorded');
    const out = m.receive({ opcode: 1, data: Buffer.from('ping') }, 5_000);
    expect(out.match).toEqual({ by: 'content', turn: 1, repeated: false });
    expect(out.planned).toEqual([{ kind: 'message', opcode: 1, data: Buffer.from('pong'), due: 5_005, answer: 3 }]);
    const first = m.receive({ opcode: 1, data: Buffer.from('{"type":"get","id":1}') }, 6_000);
    expect(texts(first.planned)).toEqual(['{"type":"value","id":1,"v":42}', 'tick']);
    expect(first.planned.map((p) => p.due)).toEqual([6_010, 6_300]);
  });

  it('repeats the answers of an exact message once every recorded one was used', () => {
    const m = matcher('content');
    m.receive({ opcode: 1, data: Buffer.from('ping') }, 0);
    expect(m.receive({ opcode: 1, data: Buffer.from('ping') }, 0)).toMatchObject({ match: { by: 'content', turn: 1, repeated: true } });
  });

  it('reports a message nothing matches at the content level as unexpected', () => {
    const m = matcher('content');
    expect(m.receive({ opcode: 1, data: Buffer.from('{"type":"get","id":7}') }, 0)).toEqual({ planned: [] });
    expect(m.receive({ opcode: 2, data: Buffer.from('ping') }, 0)).toEqual({ planned: [] });
  });

  it('matches by the protocol fields when the bytes differ', () => {
    const m = matcher('protocol');
    const out = m.receive({ opcode: 1, data: Buffer.from('{"id":9,"type":"set"}') }, 0);
    expect(out.match).toEqual({ by: 'protocol', turn: 2, repeated: false });
    expect(texts(out.planned)).toEqual(['{"type":"ok","id":2}']);
    expect(m.receive({ opcode: 1, data: Buffer.from('{"type":"delete"}') }, 0)).toEqual({ planned: [] });
  });

  it('falls back to the next unused turn in order', () => {
    const m = matcher('order');
    expect(m.receive({ opcode: 1, data: Buffer.from('something else') }, 0).match).toEqual({ by: 'order', turn: 0, repeated: false });
    expect(m.receive({ opcode: 1, data: Buffer.from('and another') }, 0).match).toEqual({ by: 'order', turn: 1, repeated: false });
    expect(m.receive({ opcode: 1, data: Buffer.from('third') }, 0).match).toEqual({ by: 'order', turn: 2, repeated: false });
    expect(m.receive({ opcode: 1, data: Buffer.from('fourth') }, 0)).toEqual({ planned: [] });
  });

  it('never plans a send before an earlier one: answers stay in the recorded order', () => {
    const m = matcher('order', 'recorded');
    const a = m.receive({ opcode: 1, data: Buffer.from('{"type":"get","id":1}') }, 100);
    const b = m.receive({ opcode: 1, data: Buffer.from('ping') }, 101);
    expect([...a.planned, ...b.planned].map((p) => p.due)).toEqual([110, 400, 400]);
  });

  it('plans the server\'s recorded close after the answers of its turn', () => {
    const m = new ScriptMatcher([send('bye', 100), receive('ciao', 110)], 0, { code: 4000, reason: 'done', time: 150 }, { level: 'content', timing: 'recorded' });
    expect(m.receive({ opcode: 1, data: Buffer.from('bye') }, 1_000).planned).toEqual([
      { kind: 'message', opcode: 1, data: Buffer.from('ciao'), due: 1_010, answer: 0 },
      { kind: 'close', code: 4000, reason: 'done', due: 1_050 },
    ]);
  });
});

describe('protocol fields from a lens', () => {
  it('matches a JSON-RPC request by its method when the id differs, and JSON-RPC is the lens that read it', () => {
    const items: ScriptItem[] = [
      send('{"jsonrpc":"2.0","method":"add","params":[1,2],"id":1}', 100), receive('{"jsonrpc":"2.0","result":3,"id":1}', 110),
      send('{"jsonrpc":"2.0","method":"sub","params":[5,2],"id":2}', 200), receive('{"jsonrpc":"2.0","result":3,"id":2}', 210),
    ];
    const { lens, keys } = protocolKeysFor({ request: { target: '/rpc', rawHeaders: [] }, items });
    expect(lens).toBe('json-rpc');
    const m = new ScriptMatcher(items, 0, undefined, { level: 'protocol', timing: 'fast', recordedKeys: keys(), liveKeys: keys() });
    const out = m.receive({ opcode: 1, data: Buffer.from('{"jsonrpc":"2.0","method":"sub","params":[9,9],"id":77}') }, 0);
    expect(out.match).toEqual({ by: 'protocol', turn: 1, repeated: false });
    expect(texts(out.planned)).toEqual(['{"jsonrpc":"2.0","result":3,"id":2}']);
    expect(m.receive({ opcode: 1, data: Buffer.from('{"jsonrpc":"2.0","method":"mul","id":78}') }, 0)).toEqual({ planned: [] });
  });

  it('keys by JSON type and event when no lens recognises the recording', () => {
    const { lens, keys } = protocolKeysFor({ request: { target: '/', rawHeaders: [] }, items: RECORDING });
    expect(lens).toBeUndefined();
    expect(keys().keyOf({ direction: 'send', opcode: 1, data: Buffer.from('{"type":"get","event":"x","id":3}') })).toBe('json type=get event=x');
  });
});
