// The rules engine as a playbook: rules in, plans out, no sockets.
import { describe, expect, it } from 'vitest';
import { RuleEngine } from '../../src/rules/rule-engine.js';
import type { Rule } from '../../src/rules/rule-types.js';
import { Breakpoints } from '../../src/proxy/breakpoints.js';

const url = 'ws://chat.example:8080/room?x=1';
const rule = (r: Partial<Rule> & Pick<Rule, 'actions'>): Rule => ({ name: 'r', enabled: true, ...r });
const plan = (rules: Rule[], text: string, direction: 'send' | 'receive' = 'send', opcode = 1) => {
  const engine = new RuleEngine();
  engine.setRules(rules);
  return engine.forConnection({ url }).decide(direction, opcode, Buffer.from(text), () => 0.5);
};

describe('matching', () => {
  it('matches nothing and plans nothing when no rule matches', () => {
    expect(plan([rule({ match: { contains: 'zzz' }, actions: [{ type: 'drop' }] })], 'hello')).toBeUndefined();
  });

  it('matches by substring, regex, opcode and direction', () => {
    const drop = [{ type: 'drop' as const }];
    expect(plan([rule({ match: { contains: 'ell' }, actions: drop })], 'hello')?.forward).toBe('none');
    expect(plan([rule({ match: { regex: '^h.l' }, actions: drop })], 'hello')?.forward).toBe('none');
    expect(plan([rule({ match: { regex: '/^H/i' }, actions: drop })], 'hello')?.forward).toBe('none');
    expect(plan([rule({ match: { opcode: 2 }, actions: drop })], 'hello')).toBeUndefined();
    expect(plan([rule({ scope: { direction: 'receive' }, actions: drop })], 'hello', 'send')).toBeUndefined();
    expect(plan([rule({ scope: { direction: 'receive' }, actions: drop })], 'hello', 'receive')?.forward).toBe('none');
  });

  it('matches a JSON path by equality or by pattern, and never matches text that is not JSON', () => {
    const drop = [{ type: 'drop' as const }];
    const msg = JSON.stringify({ type: 'sub', items: [{ id: 7 }], meta: { 'a-b': 'x' } });
    expect(plan([rule({ match: { json: { path: '$.type', equals: 'sub' } }, actions: drop })], msg)?.forward).toBe('none');
    expect(plan([rule({ match: { json: { path: '$.items[0].id', equals: 7 } }, actions: drop })], msg)?.forward).toBe('none');
    expect(plan([rule({ match: { json: { path: '$.items[0]', equals: { id: 7 } } }, actions: drop })], msg)?.forward).toBe('none');
    expect(plan([rule({ match: { json: { path: "$.meta['a-b']", matches: '^x$' } }, actions: drop })], msg)?.forward).toBe('none');
    expect(plan([rule({ match: { json: { path: '$.type', equals: 'unsub' } }, actions: drop })], msg)).toBeUndefined();
    expect(plan([rule({ match: { json: { path: '$.type' } }, actions: drop })], 'not json')).toBeUndefined();
  });

  it('scopes by URL and host, substring or /regex/', () => {
    const engine = new RuleEngine();
    engine.setRules([
      rule({ name: 'a', scope: { url: '/room' }, actions: [{ type: 'drop' }] }),
      rule({ name: 'b', scope: { host: '/^chat\\.example:8080$/' }, actions: [{ type: 'drop' }] }),
      rule({ name: 'c', scope: { host: 'other.example' }, actions: [{ type: 'drop' }] }),
    ]);
    expect(engine.forConnection({ url }).decide('send', 1, Buffer.from('x'))?.rules).toEqual(['a']);
    // Rule a dropped it and ended the list; with a gone, b acts.
    engine.setRules([rule({ name: 'b', scope: { host: '/^chat\\.example:8080$/' }, actions: [{ type: 'delay', ms: 5 }] }), rule({ name: 'c', scope: { host: 'other.example' }, actions: [{ type: 'drop' }] })]);
    expect(engine.forConnection({ url }).decide('send', 1, Buffer.from('x'))?.rules).toEqual(['b']);
    expect(engine.forConnection({ url: 'ws://elsewhere/' }).watches('send')).toBe(false);
  });

  it('reads binary messages as text only when they are UTF-8', () => {
    const drop = [{ type: 'drop' as const }];
    expect(plan([rule({ match: { regex: 'hi' }, actions: drop })], 'hi', 'send', 2)?.forward).toBe('none');
    const engine = new RuleEngine();
    engine.setRules([rule({ match: { regex: '.' }, actions: drop })]);
    expect(engine.forConnection({ url }).decide('send', 2, Buffer.from([0xa5, 0xa5]))).toBeUndefined();
    engine.setRules([rule({ name: 'rx', actions: [{ type: 'rewrite', regex: 'a', replace: 'b' }] })]);
    expect(engine.forConnection({ url }).decide('send', 2, Buffer.from([0xa5]))?.errors).toEqual(['rule "rx" could not rewrite a send message: the message is binary data that is not text (UTF-8)']);
  });

  it('skips a switched-off rule', () => {
    expect(plan([rule({ enabled: false, actions: [{ type: 'drop' }] })], 'x')).toBeUndefined();
  });
});

describe('plans', () => {
  it('rewrites by regex, merge patch, JSON patch and payload, each rule seeing the last one\'s result', () => {
    const p = plan([
      rule({ name: 'one', actions: [{ type: 'rewrite', mergePatch: { b: 2, gone: null } }] }),
      rule({ name: 'two', match: { json: { path: '$.b', equals: 2 } }, actions: [{ type: 'rewrite', jsonPatch: [{ op: 'add', path: '/c/-', value: 9 }, { op: 'replace', path: '/a', value: 'A' }] }] }),
      rule({ name: 'three', actions: [{ type: 'rewrite', regex: '"A"', replace: '"Z"' }] }),
    ], '{"a":1,"gone":true,"c":[1]}');
    expect(p?.forward).toBe('replaced');
    expect(p?.replacement?.data.toString()).toBe('{"a":"Z","c":[1,9],"b":2}');
    expect(p?.rules).toEqual(['one', 'two', 'three']);
    expect(plan([rule({ actions: [{ type: 'rewrite', payload: 'AQI=', base64: true }] })], 'x', 'send', 2)?.replacement).toEqual({ opcode: 2, data: Buffer.from([1, 2]) });
  });

  it('reports a rewrite that cannot apply and lets the message go on', () => {
    const p = plan([rule({ name: 'patch', actions: [{ type: 'rewrite', mergePatch: { a: 1 } }] })], 'not json');
    expect(p?.forward).toBe('original');
    expect(p?.errors).toEqual(['rule "patch" could not rewrite a send message: the message is not JSON']);
  });

  it('adds delays with jitter, duplicates, and replies filled from the message', () => {
    const p = plan([
      rule({ name: 'slow', actions: [{ type: 'delay', ms: 100, jitter: 20 }] }),
      rule({ name: 'echo', actions: [{ type: 'reply', payload: '{"ack":{{json.id}},"of":"{{json.kind}}","raw":{{json}}}' }, { type: 'duplicate', count: 2 }] }),
    ], '{"id":42,"kind":"ping"}');
    expect(p).toMatchObject({ forward: 'original', delayMs: 110, duplicates: 2, rules: ['slow', 'echo'] });
    expect(p?.replies.map((r) => r.data.toString())).toEqual(['{"ack":42,"of":"ping","raw":{"id":42,"kind":"ping"}}']);
  });

  it('stops at drop, close, abort, breakpoint and a reply that does not forward', () => {
    const after = rule({ name: 'after', actions: [{ type: 'delay', ms: 1 }] });
    expect(plan([rule({ name: 'x', actions: [{ type: 'close', code: 4001, reason: 'bye' }] }), after], 'm')).toMatchObject({ forward: 'none', end: { kind: 'close', code: 4001, reason: 'bye' }, rules: ['x'] });
    expect(plan([rule({ name: 'x', actions: [{ type: 'abort' }] }), after], 'm')).toMatchObject({ forward: 'none', end: { kind: 'abort' }, rules: ['x'] });
    expect(plan([rule({ name: 'x', actions: [{ type: 'reply', payload: 'r', forward: false }] }), after], 'm')).toMatchObject({ forward: 'none', rules: ['x'] });
    expect(plan([rule({ name: 'x', actions: [{ type: 'breakpoint' }] }), after], 'm')).toMatchObject({ forward: 'original', breakpoint: { ruleId: 0 }, rules: ['x'] });
  });

  it('answers handshakes and shapes directions from connection actions', () => {
    const engine = new RuleEngine();
    engine.setRules([
      rule({ name: 'no', scope: { url: '/denied' }, actions: [{ type: 'refuseHandshake', status: 503, body: 'down' }] }),
      rule({ name: 'wait', actions: [{ type: 'delayHandshake', ms: 50 }] }),
      rule({ name: 'slow', scope: { direction: 'receive' }, actions: [{ type: 'throttle', bytesPerSecond: 1000 }, { type: 'latency', ms: 20 }] }),
    ]);
    expect(engine.handshake('ws://h/denied')).toEqual({ refuse: { status: 503, body: 'down', rule: 'no' }, delayMs: 50, delayRules: ['wait'] });
    expect(engine.handshake('ws://h/ok')).toEqual({ delayMs: 50, delayRules: ['wait'] });
    const c = engine.forConnection({ url: 'ws://h/ok' });
    expect(c.shape('receive')).toEqual({ latencyMs: 20, bytesPerSecond: 1000, rules: ['slow'] });
    expect(c.shape('send')).toEqual({ latencyMs: 0, bytesPerSecond: 0, rules: [] });
    // Connection actions alone do not make a lane gather messages.
    expect(c.watches('receive')).toBe(false);
  });
});

describe('breakpoints are rules', () => {
  it('turns each breakpoint into a rule that holds, and follows the switch and the list', () => {
    const breakpoints = new Breakpoints();
    const engine = new RuleEngine(breakpoints);
    let changes = 0;
    engine.on('changed', () => changes++);
    const b = breakpoints.set({ id: 0, enabled: true, phase: 'message', direction: 'send', text: 'hold' });
    expect(engine.forConnection({ url }).decide('send', 1, Buffer.from('please hold'))).toMatchObject({ breakpoint: { ruleId: b.id }, rules: [] });
    expect(engine.forConnection({ url }).decide('receive', 1, Buffer.from('please hold'))).toBeUndefined();
    breakpoints.setEnabled(false);
    expect(engine.forConnection({ url }).watches('send')).toBe(false);
    breakpoints.setEnabled(true);
    breakpoints.set({ id: 0, enabled: true, phase: 'handshake', direction: 'both', urlPattern: '/room' });
    expect(engine.handshake(url).hold).toEqual({ ruleId: 2 });
    expect(changes).toBe(4);
  });

  it('runs a rules file\'s rules before the breakpoints', () => {
    const breakpoints = new Breakpoints();
    const engine = new RuleEngine(breakpoints);
    breakpoints.set({ id: 0, enabled: true, phase: 'message', direction: 'both' });
    engine.setRules([rule({ name: 'fix', actions: [{ type: 'rewrite', regex: 'a', replace: 'b' }] })]);
    const p = engine.forConnection({ url }).decide('send', 1, Buffer.from('aa'));
    expect(p).toMatchObject({ forward: 'replaced', breakpoint: { ruleId: 1 }, rules: ['fix'] });
    expect(p?.replacement?.data.toString()).toBe('bb');
  });
});

describe('protocol fields', () => {
  it('matches a protocol filter on the packets a detected lens reads, message after message', () => {
    const engine = new RuleEngine();
    engine.setRules([rule({ name: 'no-subtract', match: { protocol: 'jsonrpc.method:subtract' }, actions: [{ type: 'drop' }] })]);
    const c = engine.forConnection({ url: 'ws://h/rpc', request: { target: '/rpc', rawHeaders: [] } });
    const call = (method: string, id: number) => Buffer.from(JSON.stringify({ jsonrpc: '2.0', method, params: [1, 2], id }));
    expect(c.decide('send', 1, call('subtract', 1))?.forward).toBe('none');
    expect(c.decide('send', 1, call('add', 2))).toBeUndefined();
    expect(c.decide('send', 1, call('subtract', 3))?.rules).toEqual(['no-subtract']);
    // Not JSON-RPC at all: no lens, no match.
    expect(engine.forConnection({ url: 'ws://h/other' }).decide('send', 1, Buffer.from('subtract'))).toBeUndefined();
  });

  it('refuses a protocol filter that does not parse, naming the field', () => {
    const engine = new RuleEngine();
    expect(() => engine.setRules([rule({ name: 'p', match: { protocol: 'nosuchproto.x:1' }, actions: [{ type: 'drop' }] })])).toThrow(/^rule 1 "p": match\.protocol: /);
  });
});
