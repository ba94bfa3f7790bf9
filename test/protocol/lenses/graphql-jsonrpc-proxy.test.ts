// graphql-ws and json-rpc-2.0, their own clients and servers, through the proxy.
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createRequire } from 'node:module';
import { useServer } from 'graphql-ws/use/ws';
import { createClient } from 'graphql-ws';
import { JSONRPCServerAndClient, JSONRPCServer, JSONRPCClient } from 'json-rpc-2.0';
import { until } from '../../support/proxy.js';
import { defaultLensRegistry } from '../../../src/protocol/lenses/registry.js';
import { decodeAll, lensConnectionFor, lensMessagesOf, linkPairs, packetsOf } from './lens-test-support.js';
import { onCleanup, serverBehindProxy } from './proxy-peers.js';

// graphql-ws's server loads graphql's CommonJS build; the schema must come from the same copy.
const { buildSchema } = createRequire(import.meta.url)('graphql') as typeof import('graphql');

describe('GraphQL over WebSocket through the proxy', () => {
  it('reads a graphql-ws subscription: its operation, variables, three next and the complete, all tied to the subscribe', async () => {
    const schema = buildSchema('type Query { hello: String } type Subscription { chat(room: String!): String }');
    const roots = {
      chat: async function* ({ room }: { room: string }) {
        for (const text of ['a', 'b', 'c']) yield { chat: `${room}:${text}` };
      },
    };
    const { wss, proxy, url } = await serverBehindProxy();
    const server = useServer({ schema, roots: { subscription: roots } }, wss);
    onCleanup(() => server.dispose());
    const client = createClient({ url: `${url}/graphql`, webSocketImpl: WebSocket, generateID: () => 'op1', lazyCloseTimeout: 0 });
    onCleanup(() => client.dispose());
    const got: unknown[] = [];
    for await (const result of client.iterate({ query: 'subscription OnChat($room: String!) { chat(room: $room) }', variables: { room: 'r1' } })) got.push(result);
    expect(got).toEqual([{ data: { chat: 'r1:a' } }, { data: { chat: 'r1:b' } }, { data: { chat: 'r1:c' } }]);
    await until(proxy.session, () => (proxy.session.connections[0]?.messages.length ?? 0) >= 7);

    const connection = proxy.session.connections[0]!;
    const lens = defaultLensRegistry().detect(lensConnectionFor(connection), [])!.lens;
    expect(lens.name).toBe('graphql-transport-ws');
    const results = decodeAll(lens, connection);
    expect(packetsOf(connection, results)).toEqual([
      { dir: 'send', packet: { name: 'graphql-transport-ws', type: 'connection_init', summary: 'connection_init' } },
      { dir: 'receive', packet: { name: 'graphql-transport-ws', type: 'connection_ack', summary: 'connection_ack' } },
      { dir: 'send', packet: { name: 'graphql-transport-ws', type: 'subscribe', summary: 'subscribe op1 OnChat', id: 'op1', event: 'OnChat', data: { query: 'subscription OnChat($room: String!) { chat(room: $room) }', variables: { room: 'r1' } } } },
      { dir: 'receive', packet: { name: 'graphql-transport-ws', type: 'next', summary: 'next op1 OnChat', id: 'op1', event: 'OnChat', data: { data: { chat: 'r1:a' } } } },
      { dir: 'receive', packet: { name: 'graphql-transport-ws', type: 'next', summary: 'next op1 OnChat', id: 'op1', event: 'OnChat', data: { data: { chat: 'r1:b' } } } },
      { dir: 'receive', packet: { name: 'graphql-transport-ws', type: 'next', summary: 'next op1 OnChat', id: 'op1', event: 'OnChat', data: { data: { chat: 'r1:c' } } } },
      { dir: 'receive', packet: { name: 'graphql-transport-ws', type: 'complete', summary: 'complete op1 OnChat', id: 'op1', event: 'OnChat' } },
    ]);
    expect(linkPairs(connection, results)).toEqual([
      'connection_init -> connection_ack',
      'subscribe op1 OnChat -> next op1 OnChat | next op1 OnChat | next op1 OnChat | complete op1 OnChat',
    ]);
  });
});

describe('JSON-RPC 2.0 through the proxy', () => {
  it('reads requests, a notification, a response, an error and a batch, linking each response to its request', async () => {
    const { wss, proxy, url } = await serverBehindProxy();
    wss.on('connection', (socket) => {
      const peer = new JSONRPCServerAndClient(new JSONRPCServer(), new JSONRPCClient((request) => { socket.send(JSON.stringify(request)); }));
      peer.addMethod('sum', ({ a, b }: { a: number; b: number }) => a + b);
      peer.addMethod('log', () => undefined);
      socket.on('message', async (data) => {
        const answer = await peer.server.receive(JSON.parse(data.toString()) as Parameters<JSONRPCServer['receive']>[0]);
        if (answer) socket.send(JSON.stringify(answer));
      });
    });
    const socket = new WebSocket(`${url}/rpc`);
    onCleanup(() => socket.close());
    let nextId = 1;
    const client = new JSONRPCClient((request) => { socket.send(JSON.stringify(request)); }, () => nextId++);
    socket.on('message', (data) => {
      const parsed = JSON.parse(data.toString()) as Parameters<JSONRPCClient['receive']>[0] | Parameters<JSONRPCClient['receive']>[0][];
      for (const response of Array.isArray(parsed) ? parsed : [parsed]) client.receive(response);
    });
    await new Promise((resolve) => socket.once('open', resolve));
    expect(await client.request('sum', { a: 1, b: 2 })).toBe(3);
    client.notify('log', { line: 'x' });
    await expect(client.request('nope', {})).rejects.toThrow('Method not found');
    const batch = await client.requestAdvanced([
      { jsonrpc: '2.0', id: 10, method: 'sum', params: { a: 5, b: 5 } },
      { jsonrpc: '2.0', id: 11, method: 'sum', params: { a: 1, b: 1 } },
    ]);
    expect(batch.map((r) => r.result)).toEqual([10, 2]);
    await until(proxy.session, () => (proxy.session.connections[0]?.messages.length ?? 0) >= 7);

    const connection = proxy.session.connections[0]!;
    const lens = defaultLensRegistry().detect(lensConnectionFor(connection), lensMessagesOf(connection))!.lens;
    expect(lens.name).toBe('json-rpc');
    const results = decodeAll(lens, connection);
    expect(packetsOf(connection, results).map(({ dir, packet }) => [dir, packet])).toEqual([
      ['send', { name: 'json-rpc', type: 'request', summary: 'request sum #1', event: 'sum', id: 1, data: { a: 1, b: 2 } }],
      ['receive', { name: 'json-rpc', type: 'response', summary: 'response sum #1', event: 'sum', id: 1, data: 3 }],
      ['send', { name: 'json-rpc', type: 'notification', summary: 'notification log', event: 'log', data: { line: 'x' } }],
      ['send', { name: 'json-rpc', type: 'request', summary: 'request nope #2', event: 'nope', id: 2, data: {} }],
      ['receive', { name: 'json-rpc', type: 'error', summary: 'error nope #2 -32601 Method not found', event: 'nope', id: 2, data: { code: -32601, message: 'Method not found' } }],
      ['send', { name: 'json-rpc', type: 'request', summary: 'request sum #10', event: 'sum', id: 10, data: { a: 5, b: 5 } }],
      ['send', { name: 'json-rpc', type: 'request', summary: 'request sum #11', event: 'sum', id: 11, data: { a: 1, b: 1 } }],
      ['receive', { name: 'json-rpc', type: 'response', summary: 'response sum #10', event: 'sum', id: 10, data: 10 }],
      ['receive', { name: 'json-rpc', type: 'response', summary: 'response sum #11', event: 'sum', id: 11, data: 2 }],
    ]);
    expect(results.map((r) => r.packets.length)).toEqual([1, 1, 1, 1, 1, 2, 2]);
    expect(linkPairs(connection, results)).toEqual([
      'request sum #1 -> response sum #1',
      'request nope #2 -> error nope #2 -32601 Method not found',
      'request sum #10 -> response sum #10',
      'request sum #11 -> response sum #11',
    ]);
  });
});
