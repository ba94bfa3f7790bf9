// Lenses for protocols with no library here to talk to: read from messages written as their specs say.
import { describe, expect, it } from 'vitest';
import { subscriptionsTransportWsLens, graphqlTransportWsLens } from '../../../src/protocol/lenses/graphql-ws.js';
import { wampLens } from '../../../src/protocol/lenses/wamp.js';
import { phoenixLens } from '../../../src/protocol/lenses/phoenix.js';
import { jsonRpcLens } from '../../../src/protocol/lenses/json-rpc.js';
import { defaultLensRegistry } from '../../../src/protocol/lenses/registry.js';
import type { LensConnection, LensMessage } from '../../../src/protocol/lenses/lens.js';
import { PacketLinker } from '../../../src/protocol/lenses/packet-linker.js';
import { binary, text } from './lens-test-support.js';

const at = (target: string, subprotocol?: string, offered: string[] = subprotocol ? [subprotocol] : []): LensConnection => ({ target, offeredSubprotocols: offered, ...(subprotocol ? { subprotocol } : {}) });
const summaries = (lens: typeof wampLens, connection: LensConnection, messages: LensMessage[]) => {
  const decoder = lens.decoder(connection);
  const linker = new PacketLinker();
  const packets = messages.map((m, i) => {
    const p = decoder.decode(m).packets[0]!;
    linker.add({ message: i, packet: 0 }, i * 10, p);
    return p;
  });
  return { packets, linker };
};

describe('the subscriptions-transport-ws lens', () => {
  it('reads start, data, complete and stop, tied to the operation, and ka', () => {
    const { packets, linker } = summaries(subscriptionsTransportWsLens, at('/graphql', 'graphql-ws'), [
      text('send', '{"type":"connection_init","payload":{"token":"t"}}'),
      text('receive', '{"type":"connection_ack"}'),
      text('receive', '{"type":"ka"}'),
      text('send', '{"id":"1","type":"start","payload":{"query":"# a comment\\nsubscription OnChat { chat }","variables":{"room":"x"}}}'),
      text('receive', '{"id":"1","type":"data","payload":{"data":{"chat":"hi"}}}'),
      text('send', '{"id":"1","type":"stop"}'),
      text('receive', '{"id":"1","type":"complete"}'),
      text('send', '{"type":"connection_terminate"}'),
    ]);
    expect(packets.map((p) => p.summary)).toEqual(['connection_init', 'connection_ack', 'ka', 'start 1 OnChat', 'data 1 OnChat', 'stop 1 OnChat', 'complete 1', 'connection_terminate']);
    expect(packets[3]).toMatchObject({ name: 'subscriptions-transport-ws', id: '1', event: 'OnChat', data: { variables: { room: 'x' } } });
    expect(packets[4]!.data).toEqual({ data: { chat: 'hi' } });
    expect(linker.linksOf({ message: 3, packet: 0 })).toEqual({ answers: [{ message: 4, packet: 0 }, { message: 5, packet: 0 }], latencyMs: 10, closed: true });
  });

  it('is told from graphql-transport-ws by the subprotocol, or by the message types', () => {
    const registry = defaultLensRegistry();
    expect(registry.detect(at('/graphql', 'graphql-ws'), [])?.lens.name).toBe('subscriptions-transport-ws');
    expect(registry.detect(at('/graphql', 'graphql-transport-ws'), [])?.lens.name).toBe('graphql-transport-ws');
    expect(registry.detect(at('/graphql'), [text('send', '{"type":"connection_init"}'), text('send', '{"id":"1","type":"start","payload":{}}')])?.lens.name).toBe('subscriptions-transport-ws');
    expect(registry.detect(at('/graphql'), [text('send', '{"type":"connection_init"}'), text('send', '{"id":"1","type":"subscribe","payload":{}}')])?.lens.name).toBe('graphql-transport-ws');
  });

  it('says what is wrong with a message that is not one', () => {
    const decoder = graphqlTransportWsLens.decoder(at('/'));
    expect(decoder.decode(text('send', '[1]'))).toEqual({ packets: [], problems: ['a graphql-transport-ws message is an object with a string "type"'] });
    expect(decoder.decode(binary('send', [1]))).toEqual({ packets: [], problems: ['graphql-transport-ws messages are text, not binary'] });
    expect(decoder.decode(text('send', '{'))?.problems?.[0]).toMatch(/^a graphql-transport-ws message is not JSON: /);
  });
});

describe('the WAMP lens', () => {
  it('reads a session: HELLO/WELCOME, a call and its result, a subscription, an event, a registration, an invocation and an error', () => {
    const { packets, linker } = summaries(wampLens, at('/ws', 'wamp.2.json'), [
      text('send', '[1,"realm1",{"roles":{"caller":{}}}]'),
      text('receive', '[2,9129137332,{"roles":{"broker":{}}}]'),
      text('send', '[48,7814135,{},"com.myapp.add",[23,7]]'),
      text('receive', '[50,7814135,{},[30]]'),
      text('send', '[32,713845233,{},"com.myapp.topic1"]'),
      text('receive', '[33,713845233,5512315355]'),
      text('receive', '[36,5512315355,4429313566,{},["Hello"],{"color":"orange"}]'),
      text('send', '[64,25349185,{},"com.myapp.echo"]'),
      text('receive', '[65,25349185,2103333224]'),
      text('receive', '[68,6131533,2103333224,{},["x"]]'),
      text('send', '[70,6131533,{},["x"]]'),
      text('send', '[48,7814136,{},"com.myapp.nope"]'),
      text('receive', '[8,48,7814136,{},"wamp.error.no_such_procedure"]'),
    ]);
    expect(packets.map((p) => p.summary)).toEqual([
      'HELLO realm1', 'WELCOME', 'CALL com.myapp.add #7814135', 'RESULT #7814135', 'SUBSCRIBE com.myapp.topic1 #713845233', 'SUBSCRIBED #713845233',
      'EVENT sub 5512315355 pub 4429313566', 'REGISTER com.myapp.echo #25349185', 'REGISTERED #25349185', 'INVOCATION #6131533', 'YIELD #6131533',
      'CALL com.myapp.nope #7814136', 'ERROR CALL #7814136 wamp.error.no_such_procedure',
    ]);
    expect(packets[2]).toMatchObject({ name: 'wamp', type: 'CALL', event: 'com.myapp.add', id: 7814135, data: [23, 7] });
    expect(packets[6]).toMatchObject({ type: 'EVENT', data: { args: ['Hello'], kwargs: { color: 'orange' } } });
    for (const [request, answer] of [[0, 1], [2, 3], [4, 5], [7, 8], [9, 10], [11, 12]] as const) {
      expect(linker.linksOf({ message: answer, packet: 0 })?.request, `${request}`).toEqual({ message: request, packet: 0 });
    }
  });

  it('refuses what is not WAMP, and is found by its subprotocol or its HELLO', () => {
    const decoder = wampLens.decoder(at('/'));
    expect(decoder.decode(text('send', '{"a":1}')).problems).toEqual(['a WAMP message is an array']);
    expect(decoder.decode(text('send', '[999]')).problems).toEqual(['a WAMP message starts with a known message code, not 999']);
    expect(defaultLensRegistry().detect(at('/ws', 'wamp.2.json'), [])?.lens.name).toBe('wamp');
    expect(defaultLensRegistry().detect(at('/ws'), [text('send', '[1,"realm1",{}]')])?.lens.name).toBe('wamp');
  });
});

describe('the Phoenix lens', () => {
  it('reads v1 objects and a heartbeat', () => {
    const { packets, linker } = summaries(phoenixLens, at('/socket/websocket?vsn=1.0.0'), [
      text('send', '{"topic":"rooms:1","event":"phx_join","payload":{},"ref":"1","join_ref":"1"}'),
      text('receive', '{"topic":"rooms:1","event":"phx_reply","payload":{"status":"error","response":{"reason":"unauthorized"}},"ref":"1"}'),
      text('send', '{"topic":"phoenix","event":"heartbeat","payload":{},"ref":"2"}'),
      text('receive', '{"topic":"phoenix","event":"phx_reply","payload":{"status":"ok","response":{}},"ref":"2"}'),
    ]);
    expect(packets.map((p) => p.summary)).toEqual(['join rooms:1 #1', 'reply error rooms:1 #1', 'heartbeat #2', 'reply ok phoenix #2']);
    expect(linker.linksOf({ message: 2, packet: 0 })?.answers).toEqual([{ message: 3, packet: 0 }]);
  });

  it('reads the binary serializer\'s push (with a ref from the client, without from the server), reply and broadcast', () => {
    const enc = (s: string) => [...new TextEncoder().encode(s)];
    const decoder = phoenixLens.decoder(at('/socket/websocket?vsn=2.0.0'));
    const push = decoder.decode(binary('send', [0, 1, 1, 4, 2, ...enc('1'), ...enc('7'), ...enc('r:01'), ...enc('up'), 0xde, 0xad])).packets[0];
    expect(push).toEqual({ name: 'phoenix', type: 'push', summary: 'push up r:01 #7', event: 'up', channel: 'r:01', id: '7', data: { _binary: '3q0=' }, link: { role: 'request', key: 'ref:7' } });
    const reply = decoder.decode(binary('receive', [1, 1, 1, 4, 2, ...enc('1'), ...enc('7'), ...enc('r:01'), ...enc('ok'), 0x01])).packets[0];
    expect(reply).toEqual({ name: 'phoenix', type: 'reply', summary: 'reply ok r:01 #7', event: 'phx_reply', channel: 'r:01', id: '7', data: { status: 'ok', response: { _binary: 'AQ==' } }, link: { role: 'answer', key: 'ref:7', final: true } });
    expect(decoder.decode(binary('receive', [0, 1, 4, 2, ...enc('1'), ...enc('r:01'), ...enc('ev')])).packets[0]).toMatchObject({ type: 'broadcast', event: 'ev', channel: 'r:01', data: { _binary: '' } });
    expect(decoder.decode(binary('receive', [2, 4, 2, ...enc('r:01'), ...enc('ev'), 0xff])).packets[0]).toMatchObject({ type: 'broadcast', event: 'ev', data: { _binary: '/w==' } });
    expect(decoder.decode(binary('receive', [2, 40, 2, 0x41])).problems).toEqual(['a binary Phoenix message is shorter than its header says']);
    expect(decoder.decode(binary('receive', [7])).problems).toEqual(['a binary Phoenix message starts with its kind (0 push, 1 reply, 2 broadcast), not 7']);
  });
});

describe('the JSON-RPC lens', () => {
  it('reports the items of a batch that are not JSON-RPC and reads the rest', () => {
    const decoder = jsonRpcLens.decoder(at('/'));
    const result = decoder.decode(text('send', '[{"jsonrpc":"2.0","method":"a"},{"x":1},{"jsonrpc":"2.0","id":{},"method":"b"}]'));
    expect(result.packets.map((p) => p.summary)).toEqual(['notification a']);
    expect(result.problems).toEqual(['batch item 1: a JSON-RPC 2.0 message has "jsonrpc": "2.0"', 'batch item 2: a JSON-RPC id is a string, a number or null']);
    expect(decoder.decode(text('send', '[]')).problems).toEqual(['an empty JSON-RPC batch']);
  });
});
