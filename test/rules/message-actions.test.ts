// Each message action of a rules file, through the proxy between raw peers: the exact bytes each peer
// receives, and the rule's name on what it changed, dropped, delayed or created (HAR `_rule`).
import { afterEach, describe, expect, it } from 'vitest';
import { encodeFrameBytes } from '../../src/protocol/frame-encoder.js';
import { exportHar } from '../../src/capture/har-export.js';
import { importHar } from '../../src/capture/har-import.js';
import { receivedFrames } from '../support/raw-connection.js';
import { connect, harEntry, startRulesEngine, until, type RulesEngine } from './support/rules-engine.js';

const key = Buffer.from([1, 2, 3, 4]);
/** A frame as a client sends it (masked with a fixed key). */
const fromClient = (payload: string | Buffer, opcode = 1) => encodeFrameBytes({ opcode, mask: key, payload });
/** A frame as a server sends it (unmasked). */
const fromServer = (payload: string | Buffer, opcode = 1) => encodeFrameBytes({ opcode, payload });

let e: RulesEngine;
afterEach(async () => e?.close());

describe('message actions', () => {
  it('rewrites by regex toward the server: the server gets the new text masked, the HAR marks the replaced original and the replacement', async () => {
    e = await startRulesEngine([{ name: 'rename', match: { contains: 'world' }, actions: [{ type: 'rewrite', regex: 'world', replace: 'there' }] }]);
    const { client, upstream, connectionId } = await connect(e);
    client.socket.write(fromClient('hello world'));
    client.socket.write(fromClient('untouched'));
    const frames = await receivedFrames(upstream, 'client', 2);
    expect(frames.map((f) => [f.opcode, f.fin, f.masked, f.payload.toString()])).toEqual([[1, true, true, 'hello there'], [1, true, true, 'untouched']]);
    // The untouched message went on as it came, byte for byte.
    expect(upstream.bytes.subarray(upstream.bytes.length - fromClient('untouched').length).equals(fromClient('untouched'))).toBe(true);
    await until(() => e.t.engine.store.messageCount(connectionId) === 3, 'three messages recorded');
    const har = harEntry(e, connectionId);
    expect(har._webSocketMessages.map((m) => [m.data, m.dropped, m.edited, m._rule])).toEqual([
      ['hello world', true, true, 'rename'], ['hello there', undefined, true, 'rename'], ['untouched', undefined, undefined, undefined],
    ]);
    expect(har._webSocketFrames.map((f) => [f.payloadLength, f.dropped, f.edited, f._rule])).toEqual([
      [11, true, true, 'rename'], [11, undefined, true, 'rename'], [9, undefined, undefined, undefined],
    ]);
    // HAR import reads the marks back.
    const exported = exportHar(e.t.engine.store.toConnectionRecords([connectionId]));
    const again = exportHar(importHar(JSON.stringify(exported)).connections).log.entries[0] as unknown as typeof har;
    expect(again._webSocketMessages.map((m) => m._rule)).toEqual(['rename', 'rename', undefined]);
    expect(again._webSocketFrames.map((f) => f._rule)).toEqual(['rename', 'rename', undefined]);
  });

  it('acts on a message between others in one TCP segment: those before and after go on byte for byte, in order', async () => {
    e = await startRulesEngine([
      { name: 'rename', match: { contains: 'world' }, actions: [{ type: 'rewrite', regex: 'world', replace: 'there' }] },
      { name: 'gone', match: { contains: 'drop me' }, actions: [{ type: 'drop' }] },
      { name: 'slow', match: { contains: 'wait' }, actions: [{ type: 'delay', ms: 30 }] },
    ]);
    const { client, upstream, connectionId } = await connect(e);
    // One write: the proxy reads the five frames as one chunk.
    client.socket.write(Buffer.concat([fromClient('first'), fromClient('hello world'), fromClient('drop me'), fromClient('wait for me'), fromClient('last')]));
    const frames = await receivedFrames(upstream, 'client', 4);
    expect(frames.map((f) => f.payload.toString())).toEqual(['first', 'hello there', 'wait for me', 'last']);
    // What no rule changed went on as it came: the exact bytes, the delayed one with what followed it.
    expect(upstream.bytes.subarray(0, fromClient('first').length).equals(fromClient('first'))).toBe(true);
    const tail = Buffer.concat([fromClient('wait for me'), fromClient('last')]);
    expect(upstream.bytes.subarray(upstream.bytes.length - tail.length).equals(tail)).toBe(true);
    await until(() => e.t.engine.store.messageCount(connectionId) === 6, 'six messages recorded');
    expect(harEntry(e, connectionId)._webSocketMessages.map((m) => [m.data, m.dropped, m.edited, m._rule])).toEqual([
      ['first', undefined, undefined, undefined],
      ['hello world', true, true, 'rename'], ['hello there', undefined, true, 'rename'],
      ['drop me', true, undefined, 'gone'],
      ['wait for me', undefined, undefined, 'slow'],
      ['last', undefined, undefined, undefined],
    ]);
  });

  it('applies a JSON merge patch toward the client: exact unmasked bytes', async () => {
    e = await startRulesEngine([{ name: 'patch', scope: { direction: 'receive' }, match: { json: { path: '$.type', equals: 'state' } }, actions: [{ type: 'rewrite', mergePatch: { admin: true, secret: null } }] }]);
    const { client, upstream } = await connect(e);
    upstream.socket.write(fromServer('{"type":"state","secret":"x","n":1}'));
    upstream.socket.write(fromServer('{"type":"other"}'));
    const expected = Buffer.concat([fromServer('{"type":"state","n":1,"admin":true}'), fromServer('{"type":"other"}')]);
    expect((await client.waitForBytes(expected.length)).equals(expected)).toBe(true);
  });

  it('applies a JSON patch and replaces a payload with binary', async () => {
    e = await startRulesEngine([
      { name: 'jp', scope: { direction: 'receive' }, match: { contains: 'items' }, actions: [{ type: 'rewrite', jsonPatch: [{ op: 'add', path: '/items/-', value: 3 }, { op: 'remove', path: '/drop' }] }] },
      { name: 'bin', scope: { direction: 'receive' }, match: { contains: 'blob' }, actions: [{ type: 'rewrite', payload: 'AAEC', base64: true }] },
    ]);
    const { client, upstream } = await connect(e);
    upstream.socket.write(fromServer('{"items":[1,2],"drop":0}'));
    upstream.socket.write(fromServer(Buffer.from('blob'), 2));
    const expected = Buffer.concat([fromServer('{"items":[1,2,3]}'), fromServer(Buffer.from([0, 1, 2]), 2)]);
    expect((await client.waitForBytes(expected.length)).equals(expected)).toBe(true);
  });

  it('drops a message: the client never gets it, the next one comes, and the HAR marks it dropped by the rule', async () => {
    e = await startRulesEngine([{ name: 'no-pings', scope: { direction: 'receive' }, match: { regex: '^ping' }, actions: [{ type: 'drop' }] }]);
    const { client, upstream, connectionId } = await connect(e);
    upstream.socket.write(Buffer.concat([fromServer('ping 1'), fromServer('data')]));
    expect((await client.waitForBytes(fromServer('data').length)).equals(fromServer('data'))).toBe(true);
    await until(() => e.t.engine.store.messageCount(connectionId) === 2, 'two messages recorded');
    const har = harEntry(e, connectionId);
    expect(har._webSocketMessages.map((m) => [m.data, m.dropped, m._rule])).toEqual([['ping 1', true, 'no-pings'], ['data', undefined, undefined]]);
  });

  it('duplicates a message: the client gets it three times, the copies marked injected by the rule', async () => {
    e = await startRulesEngine([{ name: 'thrice', scope: { direction: 'receive' }, actions: [{ type: 'duplicate', count: 2 }] }]);
    const { client, upstream, connectionId } = await connect(e);
    upstream.socket.write(fromServer('x'));
    const expected = Buffer.concat([fromServer('x'), fromServer('x'), fromServer('x')]);
    expect((await client.waitForBytes(expected.length)).equals(expected)).toBe(true);
    await until(() => e.t.engine.store.messageCount(connectionId) === 3, 'three messages recorded');
    expect(harEntry(e, connectionId)._webSocketMessages.map((m) => [m.data, m.injected, m._rule])).toEqual([['x', undefined, undefined], ['x', true, 'thrice'], ['x', true, 'thrice']]);
  });

  it('replies without forwarding: the client gets an answer filled from its message, the server gets nothing of it', async () => {
    e = await startRulesEngine([{ name: 'pong', scope: { direction: 'send' }, match: { json: { path: '$.op', equals: 'ping' } }, actions: [{ type: 'reply', payload: '{"id":{{json.id}},"op":"pong"}', forward: false }] }]);
    const { client, upstream, connectionId } = await connect(e);
    client.socket.write(fromClient('{"id":7,"op":"ping"}'));
    client.socket.write(fromClient('after'));
    expect((await client.waitForBytes(fromServer('{"id":7,"op":"pong"}').length)).equals(fromServer('{"id":7,"op":"pong"}'))).toBe(true);
    await upstream.waitForBytes(fromClient('after').length);
    expect(upstream.bytes.equals(fromClient('after'))).toBe(true);
    await until(() => e.t.engine.store.messageCount(connectionId) === 3, 'three messages recorded');
    expect(harEntry(e, connectionId)._webSocketMessages.map((m) => [m.type, m.data, m.dropped, m.injected, m._rule])).toEqual([
      ['send', '{"id":7,"op":"ping"}', true, undefined, 'pong'], ['receive', '{"id":7,"op":"pong"}', undefined, true, 'pong'], ['send', 'after', undefined, undefined, undefined],
    ]);
  });

  it('replies and forwards: both the server and the client get a message', async () => {
    e = await startRulesEngine([{ name: 'ack', scope: { direction: 'send' }, actions: [{ type: 'reply', payload: 'ack {{text}}' }] }]);
    const { client, upstream } = await connect(e);
    client.socket.write(fromClient('m1'));
    expect((await upstream.waitForBytes(fromClient('m1').length)).equals(fromClient('m1'))).toBe(true);
    expect((await client.waitForBytes(fromServer('ack m1').length)).equals(fromServer('ack m1'))).toBe(true);
  });

  it('closes with a code and reason: both peers get that close frame, the message goes nowhere', async () => {
    e = await startRulesEngine([{ name: 'kick', scope: { direction: 'send' }, match: { contains: 'bye' }, actions: [{ type: 'close', code: 4000, reason: 'kicked' }] }]);
    const { client, upstream, connectionId } = await connect(e);
    client.socket.write(fromClient('bye'));
    const [toClient] = await receivedFrames(client, 'server', 1);
    const [toServer] = await receivedFrames(upstream, 'client', 1);
    expect([toClient!.opcode, toClient!.closeCode, toClient!.closeReason, toClient!.masked]).toEqual([8, 4000, 'kicked', false]);
    expect([toServer!.opcode, toServer!.closeCode, toServer!.closeReason, toServer!.masked]).toEqual([8, 4000, 'kicked', true]);
    await until(() => e.t.engine.store.frameCount(connectionId) === 3, 'three frames recorded');
    expect(harEntry(e, connectionId)._webSocketFrames.map((f) => [f.type, f.opcode, f.dropped, f.injected, f._rule])).toEqual([
      ['send', 1, true, undefined, 'kick'], ['send', 8, undefined, true, 'kick'], ['receive', 8, undefined, true, 'kick'],
    ]);
  });

  it('aborts: both TCP connections end without a close frame', async () => {
    e = await startRulesEngine([{ name: 'reset', match: { contains: 'boom' }, actions: [{ type: 'abort' }] }]);
    const { client, upstream } = await connect(e);
    client.socket.write(fromClient('boom'));
    await Promise.all([client.ended, upstream.ended]);
    expect(client.bytes.length).toBe(0);
    expect(upstream.bytes.length).toBe(0);
  });

  it('delays a message and keeps the order: what follows waits behind it', async () => {
    e = await startRulesEngine([{ name: 'slow', scope: { direction: 'receive' }, match: { contains: 'slow' }, actions: [{ type: 'delay', ms: 300 }] }]);
    const { client, upstream, connectionId } = await connect(e);
    const sent = Date.now();
    upstream.socket.write(Buffer.concat([fromServer('slow'), fromServer('fast')]));
    const expected = Buffer.concat([fromServer('slow'), fromServer('fast')]);
    expect((await client.waitForBytes(expected.length)).equals(expected)).toBe(true);
    // Generous bound: at least the delay (the exact accuracy is the bench's).
    expect(Date.now() - sent).toBeGreaterThanOrEqual(295);
    await until(() => e.t.engine.store.messageCount(connectionId) === 2, 'two messages recorded');
    const har = harEntry(e, connectionId);
    expect(har._webSocketMessages.map((m) => [m.data, m._rule])).toEqual([['slow', 'slow'], ['fast', undefined]]);
    expect(har._webSocketFrames.map((f) => f._rule)).toEqual(['slow', undefined]);
  });

  it('holds a message at a breakpoint action until the user forwards it', async () => {
    e = await startRulesEngine([{ name: 'look', scope: { direction: 'send' }, match: { contains: 'secret' }, actions: [{ type: 'breakpoint' }] }]);
    const { client, upstream } = await connect(e);
    client.socket.write(fromClient('secret'));
    const held = await e.t.api.waitForEvent((ev) => ev.kind === 'held' && ev.items.length === 1);
    expect(upstream.bytes.length).toBe(0);
    const id = (held as { items: { id: number; dataBase64: string }[] }).items[0]!;
    expect(Buffer.from(id.dataBase64, 'base64').toString()).toBe('secret');
    await e.t.api.call('resolveHeld', { id: id.id, action: 'forward' });
    expect((await upstream.waitForBytes(fromClient('secret').length)).equals(fromClient('secret'))).toBe(true);
  });

  it('reports a rewrite that cannot apply and forwards the message as it came', async () => {
    e = await startRulesEngine([{ name: 'json-only', scope: { direction: 'send' }, actions: [{ type: 'rewrite', mergePatch: { a: 1 } }] }]);
    const { client, upstream } = await connect(e);
    client.socket.write(fromClient('plain'));
    expect((await upstream.waitForBytes(fromClient('plain').length)).equals(fromClient('plain'))).toBe(true);
    await until(() => e.t.engine.store.errors().some((x) => x.message === 'rule "json-only" could not rewrite a send message: the message is not JSON'), 'the error');
  });
});

describe('rules on messages kept as they crossed the wire (one frame, 512 bytes or more, masked)', () => {
  // Such a message is matched without being unmasked: its bytes are looked for masked, and unmasked
  // only when a rule acts. Needles sit at every key position, and the key's bytes differ.
  const bigKey = Buffer.from([0x5a, 0xc3, 0x19, 0xe7]);
  const big = (text: string, filler = '.') => filler.repeat(700) + text + filler.repeat(333);
  const fromBigClient = (payload: string) => encodeFrameBytes({ opcode: 1, mask: bigKey, payload });

  it('drops, rewrites and duplicates exactly what holds the text, and passes the rest byte for byte', async () => {
    e = await startRulesEngine([
      { name: 'gone', match: { contains: 'drop-me' }, actions: [{ type: 'drop' }] },
      { name: 'rx', match: { regex: '/\\{"id":\\d+\\}/' }, actions: [{ type: 'rewrite', regex: '"id":(\\d+)', replace: '"id":"$1"' }] },
      { name: 'twice', match: { json: { path: '$.kind', equals: 'copy' } }, actions: [{ type: 'duplicate' }] },
    ]);
    const { client, upstream, connectionId } = await connect(e);
    const json = JSON.stringify({ kind: 'copy', pad: 'p'.repeat(600) });
    // "drop-me" at each remainder mod 4 of its position; near misses ("drop-m", "drop_me") go on.
    const sent = [big('drop-me'), big('drop-m'), big('x drop-me'), big('drop_me'), big('xx drop-me'), big('xxx drop-me'), big('{"id":42}'), json, big('plain')];
    client.socket.write(Buffer.concat(sent.map(fromBigClient)));
    const frames = await receivedFrames(upstream, 'client', 6);
    expect(frames.map((f) => f.payload.toString())).toEqual([big('drop-m'), big('drop_me'), big('{"id":"42"}'), json, json, big('plain')]);
    // What no rule changed went on as it came: the client's own bytes, masked with its own key.
    const first = fromBigClient(big('drop-m'));
    expect(upstream.bytes.subarray(0, first.length).equals(first)).toBe(true);
    const tail = fromBigClient(big('plain'));
    expect(upstream.bytes.subarray(upstream.bytes.length - tail.length).equals(tail)).toBe(true);
    await until(() => e.t.engine.store.messageCount(connectionId) === 11, 'eleven messages recorded');
    expect(harEntry(e, connectionId)._webSocketMessages.map((m) => [m.data.length, m.dropped, m._rule])).toEqual([
      [1040, true, 'gone'], [1039, undefined, undefined], [1042, true, 'gone'], [1040, undefined, undefined], [1043, true, 'gone'], [1044, true, 'gone'],
      [1042, true, 'rx'], [1044, undefined, 'rx'], [json.length, undefined, undefined], [json.length, undefined, 'twice'], [1038, undefined, undefined],
    ]);
  });
});
