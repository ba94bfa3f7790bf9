// permessage-deflate negotiated by ws on both ends: the wire keeps the compressed bytes (RSV1 set),
// the HAR shows the messages decompressed.
import { type HarEntryJson, type HarFrameJson } from '../support/har-schema.js';
import { afterEach, describe, expect, it } from 'vitest';
import type { PerMessageDeflateOptions } from 'ws';
import { exportHar } from '../../src/capture/har-export.js';
import { startWsServer, wsViaAbsoluteForm, opened, nextMessage, closed } from '../support/peers.js';
import { startProxy, connectionClosed } from '../support/proxy.js';

const cases: [string, PerMessageDeflateOptions][] = [
  ['with context takeover', { threshold: 0 }],
  ['without context takeover', { threshold: 0, serverNoContextTakeover: true, clientNoContextTakeover: true }],
  ['with small windows', { threshold: 0, serverMaxWindowBits: 10, clientMaxWindowBits: 9 }],
];

describe.each(cases)('permessage-deflate %s', (_name, deflateOptions) => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('records decompressed messages while RSV1 stays set on the wire frames', async () => {
    const server = await startWsServer({ perMessageDeflate: deflateOptions });
    cleanups.push(server.close);
    const proxy = await startProxy();
    cleanups.push(proxy.close);
    server.wss.on('connection', (ws) => ws.on('message', (data, isBinary) => ws.send(isBinary ? data : `echo: ${data.toString()}`, { binary: isBinary })));

    const client = wsViaAbsoluteForm(proxy.port, `ws://127.0.0.1:${server.port}/z`, { perMessageDeflate: deflateOptions });
    await opened(client);
    const texts = ['aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 'the quick brown fox jumps over the lazy dog '.repeat(50)];
    for (const text of texts) {
      client.send(text);
      expect((await nextMessage(client)).data.toString()).toBe(`echo: ${text}`);
    }
    const binary = Buffer.from(Array.from({ length: 5000 }, (_, i) => i % 7));
    client.send(binary);
    expect((await nextMessage(client)).data.equals(binary)).toBe(true);
    const done = closed(client);
    client.close(1000, 'done');
    await done;
    await connectionClosed(proxy.session);

    const entry = exportHar(proxy.session.connections).log.entries[0] as unknown as HarEntryJson;
    expect(entry.response.headers.find((h: { name: string }) => h.name.toLowerCase() === 'sec-websocket-extensions')?.value).toMatch(/^permessage-deflate/);
    expect(entry._webSocketMessages.map((m: { type: string; data: string }) => [m.type, m.data])).toEqual([
      ['send', texts[0]], ['receive', `echo: ${texts[0]}`],
      ['send', texts[1]], ['receive', `echo: ${texts[1]}`],
      ['send', texts[2]], ['receive', `echo: ${texts[2]}`],
      ['send', binary.toString('base64')], ['receive', binary.toString('base64')],
    ]);
    const dataFrames = (entry._webSocketFrames as HarFrameJson[]).filter((f) => f.opcode === 1 || f.opcode === 2);
    expect(dataFrames).toHaveLength(8);
    for (const f of dataFrames) {
      expect(f.rsv1).toBe(true);
      expect(f).not.toHaveProperty('violations');
    }
    // The wire carried compressed bytes: the long repeated text is far smaller on the wire.
    expect(dataFrames[4]!.payloadLength).toBeLessThan(texts[2]!.length / 4);
    const controlFrames = (entry._webSocketFrames as HarFrameJson[]).filter((f) => f.opcode === 8);
    for (const f of controlFrames) expect(f.rsv1).toBe(false);
  });
});
