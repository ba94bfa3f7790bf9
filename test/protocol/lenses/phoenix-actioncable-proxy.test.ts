// phoenix.js and @rails/actioncable, the real clients, against small servers that speak each
// protocol, through the proxy.
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { Socket } from 'phoenix';
import { adapters, createConsumer } from '@rails/actioncable';
import { until } from '../../support/proxy.js';
import { defaultLensRegistry } from '../../../src/protocol/lenses/registry.js';
import { decodeAll, lensConnectionFor, lensMessagesOf, linkPairs, packetsOf } from './lens-test-support.js';
import { onCleanup, serverBehindProxy } from './proxy-peers.js';

describe('Phoenix channels through the proxy', () => {
  it('reads v2 arrays: join and its reply, a push and its reply, a broadcast and a leave', async () => {
    const { wss, proxy, url } = await serverBehindProxy();
    wss.on('connection', (socket) => socket.on('message', (data) => {
      const [joinRef, ref, topic, event, payload] = JSON.parse(data.toString()) as [string | null, string, string, string, unknown];
      const reply = (response: unknown) => socket.send(JSON.stringify([joinRef, ref, topic, 'phx_reply', { status: 'ok', response }]));
      if (event === 'new_msg') {
        socket.send(JSON.stringify([joinRef, null, topic, 'new_msg', payload]));
        reply({ stored: true });
      } else reply({});
    }));
    const socket = new Socket(`${url}/socket`, { transport: WebSocket as unknown as typeof globalThis.WebSocket, heartbeatIntervalMs: 3_600_000 });
    onCleanup(() => new Promise<void>((resolve) => socket.disconnect(() => resolve())));
    socket.connect();
    const channel = socket.channel('room:lobby', { user: 'ann' });
    await new Promise((resolve) => channel.join().receive('ok', resolve));
    const broadcast = new Promise((resolve) => channel.on('new_msg', resolve));
    expect(await new Promise((resolve) => channel.push('new_msg', { body: 'hi' }).receive('ok', resolve))).toEqual({ stored: true });
    expect(await broadcast).toEqual({ body: 'hi' });
    await new Promise((resolve) => channel.leave().receive('ok', resolve));
    await until(proxy.session, () => (proxy.session.connections[0]?.messages.length ?? 0) >= 7);

    const connection = proxy.session.connections[0]!;
    expect(connection.request.target).toBe('/socket/websocket?vsn=2.0.0');
    const lens = defaultLensRegistry().detect(lensConnectionFor(connection), [])!.lens;
    expect(lens.name).toBe('phoenix');
    const results = decodeAll(lens, connection);
    // phoenix.js spent refs 1 and 2 on the socket and the channel before the join.
    expect(packetsOf(connection, results).map(({ dir, packet }) => [dir, packet])).toEqual([
      ['send', { name: 'phoenix', type: 'join', summary: 'join room:lobby #3', event: 'phx_join', channel: 'room:lobby', id: '3', data: { user: 'ann' } }],
      ['receive', { name: 'phoenix', type: 'reply', summary: 'reply ok room:lobby #3', event: 'phx_reply', channel: 'room:lobby', id: '3', data: { status: 'ok', response: {} } }],
      ['send', { name: 'phoenix', type: 'push', summary: 'push new_msg room:lobby #4', event: 'new_msg', channel: 'room:lobby', id: '4', data: { body: 'hi' } }],
      ['receive', { name: 'phoenix', type: 'broadcast', summary: 'broadcast new_msg room:lobby', event: 'new_msg', channel: 'room:lobby', data: { body: 'hi' } }],
      ['receive', { name: 'phoenix', type: 'reply', summary: 'reply ok room:lobby #4', event: 'phx_reply', channel: 'room:lobby', id: '4', data: { status: 'ok', response: { stored: true } } }],
      ['send', { name: 'phoenix', type: 'leave', summary: 'leave room:lobby #5', event: 'phx_leave', channel: 'room:lobby', id: '5', data: {} }],
      ['receive', { name: 'phoenix', type: 'reply', summary: 'reply ok room:lobby #5', event: 'phx_reply', channel: 'room:lobby', id: '5', data: { status: 'ok', response: {} } }],
    ]);
    expect(linkPairs(connection, results)).toEqual([
      'join room:lobby #3 -> reply ok room:lobby #3',
      'push new_msg room:lobby #4 -> reply ok room:lobby #4',
      'leave room:lobby #5 -> reply ok room:lobby #5',
    ]);
  });
});

describe('Action Cable through the proxy', () => {
  it('reads the welcome, a subscription and its confirmation, a performed action and a broadcast', async () => {
    const { wss, proxy, url } = await serverBehindProxy({ handleProtocols: (protocols) => (protocols.has('actioncable-v1-json') ? 'actioncable-v1-json' : false) });
    wss.on('connection', (socket) => {
      socket.send(JSON.stringify({ type: 'welcome' }));
      socket.on('message', (data) => {
        const { command, identifier, data: body } = JSON.parse(data.toString()) as { command: string; identifier: string; data?: string };
        if (command === 'subscribe') socket.send(JSON.stringify({ identifier, type: 'confirm_subscription' }));
        if (command === 'message') socket.send(JSON.stringify({ identifier, message: { said: (JSON.parse(body!) as { text: string }).text } }));
      });
    });
    // Action Cable runs in browsers: in Node it needs a WebSocket and the window's event functions.
    adapters.WebSocket = WebSocket as unknown as typeof globalThis.WebSocket;
    const g = globalThis as { addEventListener?: unknown; removeEventListener?: unknown };
    const hadListeners = 'addEventListener' in g;
    if (!hadListeners) Object.assign(g, { addEventListener: () => {}, removeEventListener: () => {} });
    onCleanup(() => { if (!hadListeners) { delete g.addEventListener; delete g.removeEventListener; } });
    const consumer = createConsumer(`${url}/cable`);
    onCleanup(() => consumer.disconnect());
    const received: unknown[] = [];
    let gotBroadcast!: () => void;
    const broadcast = new Promise<void>((resolve) => { gotBroadcast = resolve; });
    const subscription = await new Promise<ReturnType<typeof consumer.subscriptions.create>>((resolve) => {
      const s = consumer.subscriptions.create({ channel: 'ChatChannel', room: '1' }, {
        connected: () => resolve(s),
        received: (data: unknown) => { received.push(data); gotBroadcast(); },
      });
    });
    subscription.perform('speak', { text: 'hi' });
    await broadcast;
    await until(proxy.session, () => (proxy.session.connections[0]?.messages.length ?? 0) >= 5);
    expect(received).toEqual([{ said: 'hi' }]);

    const connection = proxy.session.connections[0]!;
    const lens = defaultLensRegistry().detect(lensConnectionFor(connection), lensMessagesOf(connection))!.lens;
    expect(lens.name).toBe('actioncable');
    const results = decodeAll(lens, connection);
    const identifier = '{"channel":"ChatChannel","room":"1"}';
    expect(packetsOf(connection, results).map(({ dir, packet }) => [dir, packet])).toEqual([
      ['receive', { name: 'actioncable', type: 'welcome', summary: 'welcome' }],
      ['send', { name: 'actioncable', type: 'subscribe', summary: 'subscribe ChatChannel', channel: 'ChatChannel' }],
      ['receive', { name: 'actioncable', type: 'confirm_subscription', summary: 'confirm_subscription ChatChannel', channel: 'ChatChannel' }],
      ['send', { name: 'actioncable', type: 'message', summary: 'message speak ChatChannel', channel: 'ChatChannel', event: 'speak', data: { text: 'hi', action: 'speak' } }],
      ['receive', { name: 'actioncable', type: 'message', summary: 'message ChatChannel', channel: 'ChatChannel', data: { said: 'hi' } }],
    ]);
    expect(results[1]!.packets[0]!.link).toEqual({ role: 'request', key: `sub:${identifier}` });
    expect(linkPairs(connection, results)).toEqual(['subscribe ChatChannel -> confirm_subscription ChatChannel']);
  });
});
