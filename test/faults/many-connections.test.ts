// 1,000 concurrent WebSocket connections through a real `framescope proxy` process, 20 echoes each,
// every message intact and in order. The engine's resident memory is printed for the record.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import type { WebSocket } from 'ws';
import { startProxyProcess, memoryOf } from '../support/cli.js';
import { startWsServer, wsViaAbsoluteForm, opened } from '../support/peers.js';

const CONNECTIONS = 1_000;
const ECHOES = 20;

describe('1,000 concurrent connections', () => {
  let home: string;
  let engine: { child: ChildProcess; port: number };
  let echo: Awaited<ReturnType<typeof startWsServer>>;

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'framescope-many-'));
    engine = await startProxyProcess([], { ...process.env, FRAMESCOPE_HOME: home });
    echo = await startWsServer();
    echo.wss.on('connection', (ws) => ws.on('message', (d, binary) => ws.send(d, { binary })));
  });
  afterAll(async () => {
    engine?.child.kill('SIGKILL');
    await echo?.close();
    rmSync(home, { recursive: true, force: true });
  });

  it(`carries ${ECHOES} echoes on each of ${CONNECTIONS} concurrent connections intact and in order`, { timeout: 120_000 }, async () => {
    const clients: WebSocket[] = [];
    // Opened in waves, so the listen backlog is not what is being measured.
    for (let wave = 0; wave < CONNECTIONS; wave += 200) {
      const batch = Array.from({ length: Math.min(200, CONNECTIONS - wave) }, (_, i) => wsViaAbsoluteForm(engine.port, `ws://127.0.0.1:${echo.port}/c${wave + i}`));
      await Promise.all(batch.map(opened));
      clients.push(...batch);
    }
    expect(echo.wss.clients.size).toBe(CONNECTIONS);
    const received = clients.map(() => [] as string[]);
    await Promise.all(clients.map((ws, i) => new Promise<void>((resolve, reject) => {
      let sent = 0;
      const next = () => ws.send(`connection ${i} message ${sent++} ${'.'.repeat(i % 97)}`);
      ws.on('message', (data) => {
        received[i]!.push(data.toString());
        if (received[i]!.length === ECHOES) resolve();
        else next();
      });
      ws.once('close', () => reject(new Error(`connection ${i} closed after ${received[i]!.length} echoes`)));
      next();
    })));
    const memory = await memoryOf(engine.child.pid!);
    console.log(`framescope proxy with ${CONNECTIONS} open connections after ${CONNECTIONS * ECHOES} echoes: RSS ${(memory.rss / 2 ** 20).toFixed(1)} MiB, peak ${(memory.peak / 2 ** 20).toFixed(1)} MiB`);
    for (let i = 0; i < CONNECTIONS; i++) {
      expect(received[i]).toEqual(Array.from({ length: ECHOES }, (_, j) => `connection ${i} message ${j} ${'.'.repeat(i % 97)}`));
    }
    for (const ws of clients) ws.terminate();
    expect(engine.child.exitCode).toBeNull();
  });
});
