// kill -9 of the engine in the middle of a session: everything echoed through the proxy more than
// 200 ms before the kill is in the session afterwards, byte for byte.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { CaptureStore } from '../../src/capture/capture-store.js';
import { exited, startProxyProcess } from '../support/cli.js';
import { nextMessage, opened, startWsServer } from '../support/peers.js';

/** Message n: text of 100 bytes to 64 KiB that says its number. */
function payload(n: number): string {
  const size = n % 25 === 24 ? 65536 : 100 + ((n * 397) % 3000);
  return `message ${n};`.padEnd(size, String.fromCharCode(97 + (n % 26)));
}

describe('kill -9 of the engine mid-session', () => {
  let home: string;
  let server: Awaited<ReturnType<typeof startWsServer>>;

  beforeEach(async () => {
    home = mkdtempSync(join(tmpdir(), 'framescope-kill-'));
    server = await startWsServer();
    server.wss.on('connection', (ws) => ws.on('message', (data: Buffer, isBinary) => ws.send(data, { binary: isBinary })));
  });
  afterEach(async () => {
    await server.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('leaves every message echoed more than 200 ms before the kill in the session, exact', async () => {
    const { child, port } = await startProxyProcess(['--upstream', `ws://127.0.0.1:${server.port}`, '--session', 'killed'], { ...process.env, FRAMESCOPE_HOME: home });
    const echoedAt: number[] = [];
    let killedAt = 0;
    try {
      const clients = await Promise.all([0, 1].map(async (c) => {
        const ws = new WebSocket(`ws://127.0.0.1:${port}/client-${c}`);
        await opened(ws);
        return ws;
      }));
      // Two connections echo in turn until the engine is killed, 1.5 s in.
      const started = performance.now();
      let n = 0;
      while (performance.now() - started < 1_500) {
        const ws = clients[n % 2];
        const reply = nextMessage(ws);
        ws.send(payload(n));
        const { data } = await reply;
        expect(data.toString()).toBe(payload(n));
        echoedAt.push(performance.now());
        n++;
      }
      killedAt = performance.now();
      child.kill('SIGKILL');
      expect(await exited(child)).toBe(null);
      for (const ws of clients) ws.terminate();
    } finally {
      child.kill('SIGKILL');
    }
    const settled = echoedAt.filter((at) => at < killedAt - 200).length;
    expect(settled).toBeGreaterThan(10);

    const store = await CaptureStore.open(join(home, 'sessions', 'killed.fscap'));
    try {
      const ids = store.connections().map((c) => c.id);
      expect(ids).toEqual([1, 2]);
      for (const [c, id] of ids.entries()) {
        const messages = store.messages(id, 0, store.messageCount(id));
        const sends = messages.filter((m) => m.direction === 'send').map((m) => m.message.data.toString());
        const receives = messages.filter((m) => m.direction === 'receive').map((m) => m.message.data.toString());
        // This connection's messages in the order sent: the settled ones at least, and nothing that was not sent.
        const mine = echoedAt.map((_, n) => n).filter((n) => n % 2 === c);
        const settledMine = mine.filter((n) => n < settled).map(payload);
        expect(sends.slice(0, settledMine.length)).toEqual(settledMine);
        expect(receives.slice(0, settledMine.length)).toEqual(settledMine);
        expect(mine.map(payload).slice(0, sends.length)).toEqual(sends);
        expect(mine.map(payload).slice(0, receives.length)).toEqual(receives);
      }
    } finally {
      store.close();
    }
  }, 40_000);
});
