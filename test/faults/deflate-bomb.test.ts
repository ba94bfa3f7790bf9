// A permessage-deflate bomb through a real `framescope ui` process: one compressed message of about 1 MiB
// on the wire that inflates to 1 GiB. The relay passes the wire bytes untouched; the inspector inflates
// only up to its cap (64 MiB a message) and stores less still; the engine's peak RSS stays bounded; the
// next message on the same connection is decoded, and a connection beside it keeps echoing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { constants, createDeflateRaw, deflateRawSync } from 'node:zlib';
import { memoryOf, startUiProcess } from '../support/cli.js';
import { RawPeer, startRawServer, startWsServer, wsViaAbsoluteForm, opened, nextMessage } from '../support/peers.js';
import { ControlClient } from '../support/engine.js';
import { encodeFrameBytes } from '../../src/protocol/frame-encoder.js';

const INFLATED = 1024 * 1024 * 1024;
const KEY = Buffer.from([1, 2, 3, 4]);
const EXTENSION = 'permessage-deflate; client_no_context_takeover; server_no_context_takeover';

/** 1 GiB of zeros, deflated raw and sync-flushed without its 00 00 ff ff tail (RFC 7692 §7.2.1). */
async function bomb(): Promise<Buffer> {
  const deflate = createDeflateRaw({ level: 9 });
  const out: Buffer[] = [];
  deflate.on('data', (d: Buffer) => out.push(d));
  const zeros = Buffer.alloc(16 * 1024 * 1024);
  for (let i = 0; i < INFLATED / zeros.length; i++) {
    if (!deflate.write(zeros)) await once(deflate, 'drain');
  }
  await new Promise<void>((resolve) => deflate.flush(constants.Z_SYNC_FLUSH, () => resolve()));
  const all = Buffer.concat(out);
  return all.subarray(0, all.length - 4);
}

describe('a permessage-deflate bomb through the proxy', () => {
  let home: string;
  let engine: Awaited<ReturnType<typeof startUiProcess>>;
  let api: ControlClient;
  let raw: Awaited<ReturnType<typeof startRawServer>>;
  let echo: Awaited<ReturnType<typeof startWsServer>>;
  let wire: Buffer;
  let server: RawPeer;
  let peakRss = 0;

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'framescope-bomb-'));
    engine = await startUiProcess([], { ...process.env, FRAMESCOPE_HOME: home });
    api = await ControlClient.connect(`ws://127.0.0.1:${engine.uiPort}/control?token=${engine.token}`);
    raw = await startRawServer(`Sec-WebSocket-Extensions: ${EXTENSION}\r\n`);
    echo = await startWsServer();
    echo.wss.on('connection', (ws) => ws.on('message', (d) => ws.send(d.toString())));

    const compressed = await bomb();
    wire = Buffer.concat([
      encodeFrameBytes({ opcode: 2, fin: true, rsv1: true, mask: KEY, payload: compressed }),
      encodeFrameBytes({ opcode: 1, fin: true, rsv1: true, mask: KEY, payload: deflateRawSync(Buffer.from('after the bomb'), { finishFlush: constants.Z_SYNC_FLUSH }).subarray(0, -4) }),
    ]);
    const serverSide = raw.nextConnection();
    const client = net.connect({ host: '127.0.0.1', port: engine.proxyPort });
    await once(client, 'connect');
    client.write(`GET ws://127.0.0.1:${raw.port}/bomb HTTP/1.1\r\nHost: 127.0.0.1:${raw.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Extensions: ${EXTENSION}\r\n\r\n`);
    const clientPeer = new RawPeer(client);
    await clientPeer.waitForBytes(12);
    server = await serverSide;
    const sampler = setInterval(() => void memoryOf(engine.child.pid!).then((m) => (peakRss = Math.max(peakRss, m.peak))).catch(() => {}), 100);
    try {
      for (let at = 0; at < wire.length; at += 64 * 1024) {
        if (!client.write(wire.subarray(at, at + 64 * 1024))) await once(client, 'drain');
      }
      await server.waitForBytes(wire.length);
    } finally {
      clearInterval(sampler);
    }
    peakRss = Math.max(peakRss, (await memoryOf(engine.child.pid!)).peak);
    console.log(`deflate bomb: ${compressed.length} bytes on the wire inflating to ${INFLATED} bytes; engine peak RSS ${Math.round(peakRss / 1048576)} MiB`);
  }, 120_000);
  afterAll(async () => {
    api?.close();
    engine?.child.kill('SIGKILL');
    await raw?.close();
    await echo?.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('passes the wire bytes to the server untouched', () => {
    expect(server.bytes.length).toBe(wire.length);
    expect(createHash('sha256').update(server.bytes).digest('hex')).toBe(createHash('sha256').update(wire).digest('hex'));
  });

  it('inflates the bomb only to the 64 MiB cap, stores less, and decodes the next message', async () => {
    const connection = (await api.call('listConnections', {})).find((c) => c.url === `ws://127.0.0.1:${raw.port}/bomb`)!;
    let messages: Awaited<ReturnType<typeof api.call<'queryMessages'>>>['messages'] = [];
    for (let attempt = 0; attempt < 400 && messages.length < 2; attempt++) {
      messages = (await api.call('queryMessages', { connectionId: connection.id, start: 0, end: 10 })).messages;
      if (messages.length < 2) await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(messages.map((m) => [m.direction, m.opcode, m.compressed, m.truncated, m.size, m.violations])).toEqual([
      // Past 16 MiB the message's data is no longer kept; at 64 MiB inflating stops.
      ['send', 2, true, true, 64 * 1024 * 1024, ['message-too-large', 'inflated-too-large']],
      ['send', 1, true, false, 14, []],
    ]);
    expect(messages[1]!.preview).toBe('after the bomb');
    const stored = await api.call('getMessage', { connectionId: connection.id, number: 0 });
    expect(Buffer.from(stored.dataBase64, 'base64').length).toBeLessThanOrEqual(16 * 1024 * 1024);
    expect(Buffer.from(stored.dataBase64, 'base64').every((b) => b === 0)).toBe(true);
  });

  it('keeps its memory bounded and keeps serving other connections', async () => {
    expect(peakRss).toBeGreaterThan(0);
    expect(peakRss).toBeLessThan(400 * 1024 * 1024);
    const ws = wsViaAbsoluteForm(engine.proxyPort, `ws://127.0.0.1:${echo.port}/after`);
    await opened(ws);
    const reply = nextMessage(ws);
    ws.send('still here');
    expect((await reply).data.toString()).toBe('still here');
    ws.terminate();
    expect(engine.child.exitCode).toBeNull();
  });
});
