// A TCP reset in the middle of a frame, from either side, through a real `framescope ui` process: the
// other side is closed, the connection is recorded as closed with 1006, and a connection next to it
// keeps echoing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WebSocket } from 'ws';
import { startUiProcess } from '../support/cli.js';
import { startRawServer, rawClientHandshake, startWsServer, wsViaAbsoluteForm, opened, nextMessage } from '../support/peers.js';
import { ControlClient } from '../support/engine.js';
import { encodeFrameBytes } from '../../src/protocol/frame-encoder.js';
import type { ConnectionSummary } from '../../src/control/api-types.js';

describe('TCP reset mid-frame', () => {
  let home: string;
  let engine: Awaited<ReturnType<typeof startUiProcess>>;
  let api: ControlClient;
  let raw: Awaited<ReturnType<typeof startRawServer>>;
  let echo: Awaited<ReturnType<typeof startWsServer>>;
  let bystander: WebSocket;

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'framescope-reset-'));
    engine = await startUiProcess([], { ...process.env, FRAMESCOPE_HOME: home });
    api = await ControlClient.connect(`ws://127.0.0.1:${engine.uiPort}/control?token=${engine.token}`);
    raw = await startRawServer();
    echo = await startWsServer();
    echo.wss.on('connection', (ws) => ws.on('message', (d) => ws.send(d.toString())));
    bystander = wsViaAbsoluteForm(engine.proxyPort, `ws://127.0.0.1:${echo.port}/bystander`);
    await opened(bystander);
  });
  afterAll(async () => {
    bystander?.terminate();
    api?.close();
    engine?.child.kill('SIGKILL');
    await raw?.close();
    await echo?.close();
    rmSync(home, { recursive: true, force: true });
  });

  async function bystanderEchoes(text: string): Promise<void> {
    const reply = nextMessage(bystander);
    bystander.send(text);
    expect((await reply).data.toString()).toBe(text);
  }

  async function recorded(path: string): Promise<ConnectionSummary> {
    const url = `ws://127.0.0.1:${raw.port}${path}`;
    for (let attempt = 0; attempt < 200; attempt++) {
      const found = (await api.call('listConnections', {})).find((c) => c.url === url);
      if (found?.state === 'closed') return found;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error(`${url} was not recorded as closed`);
  }

  it('closes the server side when the client resets mid-frame, and records 1006', async () => {
    await bystanderEchoes('before');
    const serverSide = raw.nextConnection();
    const { peer: client, responseHead } = await rawClientHandshake(engine.proxyPort, `ws://127.0.0.1:${raw.port}/client-reset`, `127.0.0.1:${raw.port}`);
    expect(responseHead).toMatch(/^HTTP\/1\.1 101 /);
    const server = await serverSide;
    // A masked 100-byte text frame, cut after 10 payload bytes.
    const frame = encodeFrameBytes({ opcode: 1, mask: Buffer.from([9, 8, 7, 6]), payload: 'x'.repeat(100) });
    client.socket.write(frame.subarray(0, 16));
    expect((await server.waitForBytes(16)).equals(frame.subarray(0, 16))).toBe(true);
    client.socket.resetAndDestroy();
    await server.ended;
    const connection = await recorded('/client-reset');
    expect(connection.close).toEqual({ code: 1006, reason: '', closedBy: 'client' });
    await bystanderEchoes('after a client reset');
  });

  it('closes the client side when the server resets mid-frame, and records 1006', async () => {
    const serverSide = raw.nextConnection();
    const { peer: client } = await rawClientHandshake(engine.proxyPort, `ws://127.0.0.1:${raw.port}/server-reset`, `127.0.0.1:${raw.port}`);
    const server = await serverSide;
    const frame = encodeFrameBytes({ opcode: 2, payload: Buffer.alloc(100, 7) });
    server.socket.write(frame.subarray(0, 12));
    expect((await client.waitForBytes(12)).equals(frame.subarray(0, 12))).toBe(true);
    server.socket.resetAndDestroy();
    await client.ended;
    const connection = await recorded('/server-reset');
    expect(connection.close).toEqual({ code: 1006, reason: '', closedBy: 'server' });
    await bystanderEchoes('after a server reset');
    expect(engine.child.exitCode).toBeNull();
  });
});
