// The @microsoft/signalr client (JSON and MessagePack hub protocols) through the proxy against a small
// hub written here: negotiate, the handshake, an invocation, a server-to-client invocation, a server
// stream and a client upload stream. The hub reads and writes with the SignalR packages' own protocol
// classes; the lens reads back what the capture store recorded.
import { afterEach, describe, expect, it } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  HttpTransportType, HubConnectionBuilder, JsonHubProtocol, LogLevel, MessageType, Subject, TransferFormat,
  type HubMessage, type IHubProtocol,
} from '@microsoft/signalr';
import { MessagePackHubProtocol } from '@microsoft/signalr-protocol-msgpack';
import { decode } from '@msgpack/msgpack';
import { signalrLens } from '../../../src/protocol/lenses/signalr.js';
import { defaultLensRegistry } from '../../../src/protocol/lenses/registry.js';
import { startTestEngine, type TestEngine } from '../../support/engine.js';
import { decodeRecorded, recordedConnections } from '../../support/lens-capture.js';

let t: TestEngine | undefined;
let closeHub: (() => Promise<void>) | undefined;

afterEach(async () => {
  await closeHub?.();
  await t?.close();
  t = undefined;
  closeHub = undefined;
});

async function startHub(): Promise<number> {
  const server = http.createServer((req, res) => {
    if (req.method === 'POST' && req.url?.startsWith('/hub/negotiate')) {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({
        negotiateVersion: 1, connectionId: 'conn-1', connectionToken: 'token-1',
        availableTransports: [{ transport: 'WebSockets', transferFormats: ['Text', 'Binary'] }],
      }));
      return;
    }
    res.writeHead(404).end();
  });
  const wss = new WebSocketServer({ server });
  wss.on('connection', (ws) => hub(ws));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  closeHub = () => new Promise<void>((resolve) => { for (const c of wss.clients) c.terminate(); wss.close(); server.close(() => resolve()); });
  return (server.address() as AddressInfo).port;
}

function hub(ws: WebSocket): void {
  let protocol: IHubProtocol | undefined;
  const uploads = new Map<string, { invocationId: string; parts: string[] }>();
  const send = (m: HubMessage) => {
    const out = protocol!.writeMessage(m);
    ws.send(typeof out === 'string' ? out : Buffer.from(out), { binary: typeof out !== 'string' });
  };
  ws.on('message', (data: Buffer) => {
    let rest: Buffer = data;
    if (!protocol) {
      const end = data.indexOf(0x1e);
      const request = JSON.parse(data.subarray(0, end).toString()) as { protocol: string };
      protocol = request.protocol === 'messagepack' ? new MessagePackHubProtocol() : new JsonHubProtocol();
      ws.send(Buffer.from('{}\x1e'), { binary: request.protocol === 'messagepack' });
      rest = data.subarray(end + 1);
      if (rest.length === 0) return;
    }
    for (const m of readClientMessages(rest, protocol.transferFormat === TransferFormat.Text)) {
      if (m.type === MessageType.Invocation && m.target === 'Echo') {
        send({ type: MessageType.Invocation, target: 'Notify', arguments: [{ echoed: m.arguments[0] }], headers: {} });
        send({ type: MessageType.Completion, invocationId: m.invocationId!, result: `${String(m.arguments[0])} ${String(m.arguments[0])}`, headers: {} });
      } else if (m.type === MessageType.StreamInvocation && m.target === 'Counter') {
        for (let i = 0; i < (m.arguments[0] as number); i++) send({ type: MessageType.StreamItem, invocationId: m.invocationId, item: i, headers: {} });
        send({ type: MessageType.Completion, invocationId: m.invocationId, headers: {} });
      } else if (m.type === MessageType.Invocation && m.target === 'Upload') {
        uploads.set(m.streamIds![0]!, { invocationId: m.invocationId!, parts: [] });
      } else if (m.type === MessageType.StreamItem) {
        uploads.get(m.invocationId)!.parts.push(m.item as string);
      } else if (m.type === MessageType.Completion && uploads.has(m.invocationId)) {
        const upload = uploads.get(m.invocationId)!;
        send({ type: MessageType.Completion, invocationId: upload.invocationId, result: upload.parts.join('+'), headers: {} });
      } else if (m.type === MessageType.Close) {
        ws.close();
      }
    }
  });
}

/**
 * The client's messages. The SignalR packages parse only what a server sends (no StreamInvocation), so
 * the hub reads the two formats itself: JSON records ended by 0x1e; MessagePack arrays after a varint size.
 */
function readClientMessages(data: Buffer, text: boolean): HubMessage[] {
  if (text) return data.toString().split('\x1e').filter(Boolean).map((record) => JSON.parse(record) as HubMessage);
  const out: HubMessage[] = [];
  let at = 0;
  while (at < data.length) {
    let size = 0;
    let shift = 0;
    let b: number;
    do { b = data[at++]!; size |= (b & 0x7f) << shift; shift += 7; } while (b & 0x80);
    const item = decode(data.subarray(at, at + size)) as unknown[];
    at += size;
    const [type, , invocationId] = item as [MessageType, unknown, string];
    if (type === MessageType.Invocation || type === MessageType.StreamInvocation) {
      out.push({ type, invocationId, target: item[3], arguments: item[4], streamIds: item[5] } as HubMessage);
    } else if (type === MessageType.StreamItem) {
      out.push({ type, invocationId, item: item[3] } as HubMessage);
    } else if (type === MessageType.Completion) {
      out.push({ type, invocationId } as HubMessage);
    } else {
      out.push({ type } as HubMessage);
    }
  }
  return out;
}

describe.each([
  ['json', new JsonHubProtocol()],
  ['messagepack', new MessagePackHubProtocol()],
] as const)('the SignalR lens on @microsoft/signalr traffic through the proxy (%s)', (name, protocol) => {
  it('reads the handshake, invocations, a server stream and an upload stream, linked by invocationId', async () => {
    const port = await startHub();
    t = await startTestEngine({ upstream: `ws://127.0.0.1:${port}` });
    const connection = new HubConnectionBuilder()
      .withUrl(`http://127.0.0.1:${t.proxyPort}/hub`, { transport: HttpTransportType.WebSockets })
      .withHubProtocol(protocol)
      .configureLogging(LogLevel.None)
      .build();
    // No keep-alive ping while the test runs, however slow the machine.
    connection.keepAliveIntervalInMilliseconds = 600_000;
    connection.serverTimeoutInMilliseconds = 1_200_000;
    const notified: unknown[] = [];
    connection.on('Notify', (arg) => { notified.push(arg); });
    await connection.start();
    expect(await connection.invoke('Echo', 'hi')).toBe('hi hi');
    const items: unknown[] = [];
    await new Promise<void>((resolve, reject) => connection.stream('Counter', 3).subscribe({ next: (i) => items.push(i), complete: resolve, error: reject }));
    const subject = new Subject<string>();
    const uploaded = connection.invoke('Upload', subject);
    subject.next('a');
    subject.next('b');
    subject.complete();
    expect(await uploaded).toBe('a+b');
    await connection.stop();
    expect(notified).toEqual([{ echoed: 'hi' }]);
    expect(items).toEqual([0, 1, 2]);

    const [recorded] = await recordedConnections(t.engine, (target) => target.startsWith('/hub?id='), 1);
    expect(recorded!.connection.target).toBe('/hub?id=token-1');
    expect(signalrLens.detect(recorded!.connection, recorded!.messages.slice(0, 1))).toBe(1);
    expect(defaultLensRegistry().detect(recorded!.connection, recorded!.messages)?.lens.name).toBe('signalr');
    const decoded = decodeRecorded(signalrLens, recorded!);
    const lines = decoded.flatMap((m) => m.packets.map((p) => [`${m.direction === 'send' ? '>' : '<'} ${p.summary}`, p.link ?? null]));
    expect(lines).toEqual([
      [`> HandshakeRequest ${name} v1`, { role: 'request', key: 'signalr:handshake' }],
      ['< HandshakeResponse', { role: 'answer', key: 'signalr:handshake', final: true }],
      // The client pings once as soon as the handshake is done (HubConnection._startInternal).
      ['> Ping', null],
      ['> Invocation Echo #0', { role: 'request', key: 'signalr:send:0' }],
      ['< Invocation Notify', null],
      ['< Completion #0', { role: 'answer', key: 'signalr:send:0', final: true }],
      ['> StreamInvocation Counter #1', { role: 'request', key: 'signalr:send:1' }],
      ['< StreamItem #1', { role: 'answer', key: 'signalr:send:1' }],
      ['< StreamItem #1', { role: 'answer', key: 'signalr:send:1' }],
      ['< StreamItem #1', { role: 'answer', key: 'signalr:send:1' }],
      ['< Completion #1', { role: 'answer', key: 'signalr:send:1', final: true }],
      // The client numbers the upload stream before the invocation that carries it.
      ['> Invocation Upload #3 streams 2', { role: 'request', key: 'signalr:send:3' }],
      ['> StreamItem #2', { role: 'answer', key: 'signalr:send:3' }],
      ['> StreamItem #2', { role: 'answer', key: 'signalr:send:3' }],
      ['> Completion #2', { role: 'answer', key: 'signalr:send:3' }],
      ['< Completion #3', { role: 'answer', key: 'signalr:send:3', final: true }],
      ['> Close', null],
    ]);
    const packets = decoded.flatMap((m) => m.packets);
    expect(packets[3]).toMatchObject({ type: 'Invocation', event: 'Echo', id: '0', data: ['hi'] });
    expect(packets[4]).toMatchObject({ type: 'Invocation', event: 'Notify', data: [{ echoed: 'hi' }] });
    expect(packets[5]).toMatchObject({ type: 'Completion', id: '0', data: 'hi hi' });
    expect(packets.slice(7, 10).map((p) => p.data)).toEqual([0, 1, 2]);
    expect(packets[11]).toMatchObject({ event: 'Upload', data: [], fields: { streamIds: ['2'] } });
    expect(packets[15]).toMatchObject({ id: '3', data: 'a+b' });
  });
});
