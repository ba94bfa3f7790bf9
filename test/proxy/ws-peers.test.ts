// ws client -> Framescope -> ws server, in each mode the proxy offers, with the HAR checked exactly.
import { type HarEntryJson, type HarFrameJson } from '../support/har-schema.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { exportHar } from '../../src/capture/har-export.js';
import { startWsServer, wsViaAbsoluteForm, wsViaConnect, opened, nextMessage, closed } from '../support/peers.js';
import { startProxy, connectionClosed, until } from '../support/proxy.js';

type Mode = 'absolute-form' | 'CONNECT' | 'reverse';

const modes: Mode[] = ['absolute-form', 'CONNECT', 'reverse'];

describe.each(modes)('through the proxy in %s mode', (mode) => {
  let server: Awaited<ReturnType<typeof startWsServer>>;
  let proxy: Awaited<ReturnType<typeof startProxy>>;

  beforeEach(async () => {
    server = await startWsServer();
    proxy = await startProxy(mode === 'reverse' ? { upstream: `ws://127.0.0.1:${server.port}` } : {});
  });
  afterEach(async () => {
    await proxy.close();
    await server.close();
  });

  function connect(path: string): WebSocket {
    const url = `ws://127.0.0.1:${server.port}${path}`;
    if (mode === 'absolute-form') return wsViaAbsoluteForm(proxy.port, url);
    if (mode === 'CONNECT') return wsViaConnect(proxy.port, url);
    return new WebSocket(`ws://127.0.0.1:${proxy.port}${path}`);
  }

  it('relays text, binary, fragmented, ping/pong and close both ways and records them in the HAR', async () => {
    server.wss.on('connection', (ws, req) => {
      ws.on('message', (data, isBinary) => {
        if (!isBinary && data.toString() === 'close please') ws.close(4001, 'bye now');
        else ws.send(data, { binary: isBinary });
      });
      ws.on('ping', (data) => ws.send(`pinged ${data.toString()} at ${req.url}`));
    });
    const client = connect('/chat?room=1');
    await opened(client);

    client.send('hello');
    expect((await nextMessage(client)).data.toString()).toBe('hello');

    client.send(Buffer.from([0, 1, 2, 255]));
    const echoed = await nextMessage(client);
    expect(echoed.isBinary).toBe(true);
    expect([...echoed.data]).toEqual([0, 1, 2, 255]);

    // A fragmented text message: two frames, the second with FIN.
    client.send('frag', { fin: false });
    client.send('mented', { fin: true });
    expect((await nextMessage(client)).data.toString()).toBe('fragmented');

    const pong = new Promise<Buffer>((resolve) => client.once('pong', resolve));
    const afterPing = nextMessage(client);
    client.ping('p1');
    expect((await pong).toString()).toBe('p1');
    expect((await afterPing).data.toString()).toBe('pinged p1 at /chat?room=1');

    const done = closed(client);
    client.send('close please');
    expect(await done).toEqual({ code: 4001, reason: 'bye now' });
    await connectionClosed(proxy.session);

    const har = exportHar(proxy.session.connections);
    expect(har.log.entries).toHaveLength(1);
    const entry = har.log.entries[0] as unknown as HarEntryJson;
    expect(entry._resourceType).toBe('websocket');
    expect(entry.request.url).toBe(`ws://127.0.0.1:${server.port}/chat?room=1`);
    expect(entry.request.queryString).toEqual([{ name: 'room', value: '1' }]);
    expect(entry.response.status).toBe(101);
    expect(entry.response.headers.map((h: { name: string }) => h.name.toLowerCase())).toEqual(['upgrade', 'connection', 'sec-websocket-accept']);
    const messages = entry._webSocketMessages.map((m: { type: string; opcode: number; data: string }) => [m.type, m.opcode, m.data]);
    expect(messages).toEqual([
      ['send', 1, 'hello'],
      ['receive', 1, 'hello'],
      ['send', 2, Buffer.from([0, 1, 2, 255]).toString('base64')],
      ['receive', 2, Buffer.from([0, 1, 2, 255]).toString('base64')],
      ['send', 1, 'fragmented'],
      ['receive', 1, 'fragmented'],
      ['receive', 1, 'pinged p1 at /chat?room=1'],
      ['send', 1, 'close please'],
    ]);
    for (const m of entry._webSocketMessages) expect(typeof m.time).toBe('number');
    expect(entry._webSocketClose).toEqual({ code: 4001, reason: 'bye now', closedBy: 'server' });

    const frames = entry._webSocketFrames as HarFrameJson[];
    const summary = frames.map((f) => `${f.type}:${f.opcode}:${f.fin ? 'F' : '-'}:${f.payloadLength}`);
    expect(summary).toEqual([
      'send:1:F:5', 'receive:1:F:5',
      'send:2:F:4', 'receive:2:F:4',
      'send:1:-:4', 'send:0:F:6', 'receive:1:F:10',
      'send:9:F:2', 'receive:10:F:2', 'receive:1:F:25',
      'send:1:F:12', 'receive:8:F:9', 'send:8:F:9',
    ]);
    for (const f of frames) {
      expect(f.masked).toBe(f.type === 'send');
      if (f.type === 'send') expect(f.maskKey).toMatch(/^[0-9a-f]{8}$/);
      else expect(f).not.toHaveProperty('maskKey');
      expect(f).not.toHaveProperty('violations');
    }
    expect(frames[11]).toMatchObject({ closeCode: 4001, closeReason: 'bye now' });
  });

  it('records 1006 and the side that dropped when the server resets the TCP connection', async () => {
    server.wss.on('connection', (ws) => ws.on('message', () => ws.terminate()));
    const client = connect('/drop');
    await opened(client);
    const done = closed(client);
    client.send('x');
    expect((await done).code).toBe(1006);
    await connectionClosed(proxy.session);
    const c = proxy.session.connections[0]!;
    expect(c.close).toEqual({ code: 1006, reason: '', closedBy: 'server' });
  });

  it('records 1006 closed by the client when the client drops without a close frame', async () => {
    const serverSide = new Promise<WebSocket>((resolve) => server.wss.once('connection', resolve));
    const client = connect('/gone');
    await opened(client);
    const peer = await serverSide;
    const serverClosed = new Promise<number>((resolve) => peer.once('close', resolve));
    client.terminate();
    expect(await serverClosed).toBe(1006);
    await until(proxy.session, () => proxy.session.connections[0]?.state === 'closed');
    expect(proxy.session.connections[0]!.close).toEqual({ code: 1006, reason: '', closedBy: 'client' });
  });
});
