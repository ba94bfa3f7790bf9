// A @stomp/stompjs client through the proxy against a small STOMP 1.2 server written here; the lens
// reads back what the capture store recorded.
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { Client, type IMessage } from '@stomp/stompjs';
import { stompLens } from '../../../src/protocol/lenses/stomp.js';
import { defaultLensRegistry } from '../../../src/protocol/lenses/registry.js';
import { startTestEngine, type TestEngine } from '../../support/engine.js';
import { startWsServer } from '../../support/peers.js';
import { decodeRecorded, recordedConnections } from '../../support/lens-capture.js';

let t: TestEngine | undefined;
let server: Awaited<ReturnType<typeof startWsServer>> | undefined;

afterEach(async () => {
  await server?.close();
  await t?.close();
  t = server = undefined;
});

/**
 * A STOMP 1.2 server for one client, written plainly so it shares no code with the lens: it answers
 * CONNECT, sends a heart-beat before the SUBSCRIBE receipt, delivers each SEND to the subscription on its destination, and
 * answers receipts. The first delivery goes in one message with its RECEIPT; a binary delivery is
 * split across two messages.
 */
function stompServer(wss: WebSocketServer): void {
  wss.on('connection', (ws) => {
    const subscriptions = new Map<string, string>();
    let buffered = Buffer.alloc(0);
    let deliveries = 0;
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      buffered = Buffer.concat([buffered, data]);
      // stompjs may split a frame across messages: wait for its NUL.
      if (buffered.length === 0 || buffered[buffered.length - 1] !== 0) return;
      const frame = buffered;
      buffered = Buffer.alloc(0);
      if (frame.toString() === '\n') return;
      const headEnd = frame.indexOf('\n\n');
      const [command, ...lines] = frame.subarray(0, headEnd).toString().split('\n');
      const headers = new Map(lines.map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1)] as const));
      const body = frame.subarray(headEnd + 2, frame.length - 1);
      const receipt = headers.has('receipt') ? Buffer.from(`RECEIPT\nreceipt-id:${headers.get('receipt')}\n\n\0`) : undefined;
      switch (command) {
        case 'CONNECT':
          ws.send('CONNECTED\nversion:1.2\nheart-beat:0,0\nserver:mini/1\n\n\0');
          return;
        case 'SUBSCRIBE':
          subscriptions.set(headers.get('destination')!, headers.get('id')!);
          // A heart-beat before the receipt the client waits for, so it is recorded at a known point.
          ws.send('\n');
          break;
        case 'SEND': {
          const id = subscriptions.get(headers.get('destination')!);
          const passed = lines.filter((l) => !/^(destination|receipt|content-length):/.test(l));
          const message = Buffer.concat([
            Buffer.from(`MESSAGE\nsubscription:${id}\nmessage-id:${++deliveries}\ndestination:${headers.get('destination')}\n${passed.map((l) => `${l}\n`).join('')}content-length:${body.length}\n\n`),
            body, Buffer.from([0]),
          ]);
          if (receipt) {
            ws.send(Buffer.concat([message, receipt]), { binary: isBinary });
            return;
          }
          ws.send(message.subarray(0, 20), { binary: isBinary });
          ws.send(message.subarray(20), { binary: isBinary });
          return;
        }
      }
      if (receipt) ws.send(receipt);
      if (command === 'DISCONNECT') ws.close();
    });
  });
}

describe('the STOMP lens on @stomp/stompjs traffic through the proxy', () => {
  it('reads a STOMP 1.2 session: frames, escaped headers, bodies, a heart-beat, and receipts and subscriptions linked', async () => {
    server = await startWsServer({ handleProtocols: (protocols) => (protocols.has('v12.stomp') ? 'v12.stomp' : false) });
    stompServer(server.wss);
    t = await startTestEngine({ upstream: `ws://127.0.0.1:${server.port}` });
    const url = `ws://127.0.0.1:${t.proxyPort}/stomp`;
    const client = new Client({
      webSocketFactory: () => new WebSocket(url, ['v12.stomp', 'v11.stomp', 'v10.stomp']),
      connectHeaders: { login: 'ann', passcode: 'pw', host: 'chat' },
      heartbeatIncoming: 0, heartbeatOutgoing: 0, reconnectDelay: 0,
      splitLargeFrames: true, maxWebSocketChunkSize: 64,
    });
    const connected = new Promise<void>((resolve) => { client.onConnect = () => resolve(); });
    client.activate();
    await connected;
    const messages: IMessage[] = [];
    const subscribed = new Promise<void>((resolve) => client.watchForReceipt('sub-r', () => resolve()));
    let arrived: () => void;
    const twoArrived = new Promise<void>((resolve) => { arrived = resolve; });
    const subscription = client.subscribe('/topic/chat', (m) => { messages.push(m); if (messages.length === 2) arrived(); }, { receipt: 'sub-r' });
    await subscribed;
    const published = new Promise<void>((resolve) => client.watchForReceipt('r1', () => resolve()));
    client.publish({ destination: '/topic/chat', body: 'hello there, this text is longer than one sixty-four byte chunk!', headers: { receipt: 'r1', note: 'a:b\nc\\d' } });
    await published;
    client.publish({ destination: '/topic/chat', binaryBody: Uint8Array.of(0, 1, 2, 0xff), headers: { 'content-type': 'application/octet-stream' } });
    await twoArrived;
    subscription.unsubscribe();
    await client.deactivate();
    expect(messages.map((m) => [m.headers.note ?? null, Buffer.from(m.binaryBody).toString(m.headers['content-type'] === 'application/octet-stream' ? 'hex' : 'utf8')])).toEqual([
      ['a:b\nc\\d', 'hello there, this text is longer than one sixty-four byte chunk!'],
      [null, '000102ff'],
    ]);

    const [recorded] = await recordedConnections(t.engine, (target) => target === '/stomp', 1);
    expect(stompLens.detect(recorded!.connection, recorded!.messages.slice(0, 1))).toBe(1);
    expect(stompLens.detect({ ...recorded!.connection, subprotocol: undefined, offeredSubprotocols: [] }, recorded!.messages.slice(0, 1))).toBe(0.95);
    expect(defaultLensRegistry().detect({ ...recorded!.connection, subprotocol: undefined, offeredSubprotocols: [] }, recorded!.messages)?.lens.name).toBe('stomp');
    const decoded = decodeRecorded(stompLens, recorded!);
    // stompjs sent the CONNECT and the long SEND in 64-byte pieces: the lens gives each frame with the message that completes it.
    expect(decoded.map((m) => m.packets.map((p) => `${m.direction === 'send' ? '>' : '<'} ${p.summary}`).join(' | ') || `${m.direction} (pending)`)).toEqual([
      'send (pending)',
      '> CONNECT host chat accept-version 1.2,1.1,1.0 heart-beat 0,0 login ann',
      '< CONNECTED version 1.2 heart-beat 0,0 server mini/1',
      '> SUBSCRIBE /topic/chat id sub-0 receipt sub-r',
      '< heart-beat',
      '< RECEIPT sub-r',
      'send (pending)',
      'send (pending)',
      '> SEND /topic/chat receipt r1 (64 B)',
      '< MESSAGE /topic/chat subscription sub-0 message-id 1 (64 B) | < RECEIPT r1',
      '> SEND /topic/chat (4 B)',
      'receive (pending)',
      '< MESSAGE /topic/chat subscription sub-0 message-id 2 (4 B)',
      '> UNSUBSCRIBE id sub-0',
      '> DISCONNECT receipt close-1',
      '< RECEIPT close-1',
    ]);
    const packets = decoded.flatMap((m) => m.packets);
    expect(packets.map((p) => p.link ?? null)).toEqual([
      { role: 'request', key: 'stomp:connect' },
      { role: 'answer', key: 'stomp:connect', final: true },
      { role: 'request', key: 'stomp:sub:sub-0' },
      null,
      { role: 'answer', key: 'stomp:sub:sub-0' },
      { role: 'request', key: 'stomp:receipt:r1' },
      { role: 'answer', key: 'stomp:sub:sub-0' },
      { role: 'answer', key: 'stomp:receipt:r1', final: true },
      null,
      { role: 'answer', key: 'stomp:sub:sub-0' },
      { role: 'answer', key: 'stomp:sub:sub-0', final: true },
      { role: 'request', key: 'stomp:receipt:close-1' },
      { role: 'answer', key: 'stomp:receipt:close-1', final: true },
    ]);
    expect(packets[5]).toMatchObject({
      channel: '/topic/chat', id: 'r1', data: 'hello there, this text is longer than one sixty-four byte chunk!',
      fields: { headers: { destination: '/topic/chat', receipt: 'r1', note: 'a:b\nc\\d', 'content-length': '64' } },
    });
    expect(packets[9]).toMatchObject({ channel: '/topic/chat', id: 'sub-0', data: { _binary: 'AAEC/w==' }, fields: { headers: { 'content-type': 'application/octet-stream' } } });
  });
});
