// A start that fails leaves nothing behind: no empty session in the sessions directory.
import { afterEach, describe, expect, it } from 'vitest';
import net from 'node:net';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../../src/engine.js';

describe('engine start', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('leaves no empty session behind when the proxy port is in use', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'framescope-start-'));
    dirs.push(dir);
    const blocker = net.createServer().listen(0, '127.0.0.1');
    await once(blocker, 'listening');
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      await expect(Engine.start({ sessionsDir: join(dir, 'sessions'), proxy: { port } })).rejects.toThrow(/already in use/);
      expect(readdirSync(join(dir, 'sessions'))).toEqual([]);
      // A named session that existed before is kept, even when that start fails.
      const ok = await Engine.start({ sessionsDir: join(dir, 'sessions'), sessionName: 'kept', proxy: { port: 0 } });
      await ok.stop();
      const before = readdirSync(join(dir, 'sessions')).sort();
      await expect(Engine.start({ sessionsDir: join(dir, 'sessions'), sessionName: 'kept', proxy: { port } })).rejects.toThrow(/already in use/);
      expect(readdirSync(join(dir, 'sessions')).sort()).toEqual(before);
      expect(before.some((f) => f.startsWith('kept'))).toBe(true);
    } finally {
      blocker.close();
    }
  });
});
