import { afterEach, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from '../support/engine.js';
import { closed, opened, startWsServer, wsViaAbsoluteForm } from '../support/peers.js';
import { waitFor } from '../support/lens-capture.js';

let t: TestEngine | undefined;

afterEach(async () => {
  await t?.close();
  t = undefined;
});

const PROTO = 'syntax = "proto3"; package demo; message Ping { int32 n = 1; } message Pong { string s = 1; }';

describe('the payload decoding commands', () => {
  it('keep a connection\'s encoding and .proto choice, check the schema, and forget it on null', async () => {
    t = await startTestEngine();
    const server = await startWsServer();
    const ws = wsViaAbsoluteForm(t.proxyPort, `ws://127.0.0.1:${server.port}/x`);
    await opened(ws);
    ws.close();
    await closed(ws);
    await server.close();
    await waitFor(() => t!.engine.store.connections().length === 1, 'the connection');
    const connectionId = t.engine.store.connections()[0]!.id;

    expect(await t.api.call('getPayloadDecoding', { connectionId })).toEqual({ connectionId, decodeAs: 'auto' });
    expect(await t.api.call('setPayloadDecoding', { connectionId, decodeAs: 'protobuf', proto: { text: PROTO, messageType: 'demo.Pong' } })).toEqual({
      connectionId, decodeAs: 'protobuf', proto: { text: PROTO, messageType: 'demo.Pong' }, protoTypes: ['demo.Ping', 'demo.Pong'],
    });
    expect(await t.api.call('getPayloadDecoding', { connectionId })).toMatchObject({ decodeAs: 'protobuf', proto: { messageType: 'demo.Pong' } });
    await expect(t.api.call('setPayloadDecoding', { connectionId, proto: { text: PROTO, messageType: 'demo.Nope' } }))
      .rejects.toThrow('the .proto text declares no message "demo.Nope" (it declares demo.Ping, demo.Pong)');
    await expect(t.api.call('setPayloadDecoding', { connectionId, proto: { text: 'message {', messageType: 'x' } })).rejects.toThrow(/^the \.proto text does not parse: /);
    await expect(t.api.call('setPayloadDecoding', { connectionId, decodeAs: 'xml' as 'json' })).rejects.toThrow('decodeAs must be auto, json, msgpack, cbor or protobuf');
    await expect(t.api.call('getPayloadDecoding', { connectionId: 999 })).rejects.toThrow('there is no connection 999');
    expect(await t.api.call('setPayloadDecoding', { connectionId, decodeAs: 'cbor', proto: null })).toEqual({ connectionId, decodeAs: 'cbor' });
  });
});
