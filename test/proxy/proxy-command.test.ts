// The headless `framescope proxy` as users run it: a child process, real clients, SIGTERM writes the HAR.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { WebSocket } from 'ws';
import { startWsServer, wsViaAbsoluteForm, opened, nextMessage, closed } from '../support/peers.js';
import { startProxyProcess, exited, BIN } from '../support/cli.js';
import { harProblems, type HarEntryJson } from '../support/har-schema.js';

describe('framescope proxy', () => {
  let dir: string;
  beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'framescope-cli-')); });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('documents its options in --help', () => {
    const r = spawnSync(process.execPath, [BIN, 'proxy', '--help'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    for (const option of ['--port N', '--host ADDR', '--upstream URL', '--har FILE', '--insecure', '--max-stored-payload N']) {
      expect(r.stdout).toContain(option);
    }
  });

  it('writes a valid HAR 1.2 holding every connection on SIGTERM and exits 0', async () => {
    const server = await startWsServer();
    server.wss.on('connection', (ws) => ws.on('message', (d) => ws.send(`re: ${d.toString()}`)));
    const har = join(dir, 'session.har');
    const { child, port } = await startProxyProcess(['--har', har], { ...process.env, FRAMESCOPE_HOME: dir });
    try {
      const first = wsViaAbsoluteForm(port, `ws://127.0.0.1:${server.port}/one`);
      await opened(first);
      first.send('a');
      expect((await nextMessage(first)).data.toString()).toBe('re: a');
      const firstClosed = closed(first);
      first.close(1000, 'finished');
      await firstClosed;

      // A second connection is still open when the proxy stops: it is in the HAR too.
      const second = wsViaAbsoluteForm(port, `ws://127.0.0.1:${server.port}/two`);
      await opened(second);
      second.send('b');
      expect((await nextMessage(second)).data.toString()).toBe('re: b');
      // A refused connection (nothing listens there) is recorded as well.
      const refused = wsViaAbsoluteForm(port, 'ws://127.0.0.1:1/nothing');
      await expect(opened(refused)).rejects.toThrow(/502/);

      child.kill('SIGTERM');
      expect(await exited(child)).toBe(0);
      second.terminate();
    } finally {
      child.kill('SIGKILL');
      await server.close();
    }
    expect(statSync(har).mode & 0o777).toBe(0o600);
    const written = JSON.parse(readFileSync(har, 'utf8'));
    expect(harProblems(written)).toEqual([]);
    const entries = written.log.entries as HarEntryJson[];
    expect(entries.map((e) => [e.request.url, e.response.status])).toEqual([
      [`ws://127.0.0.1:${server.port}/one`, 101],
      [`ws://127.0.0.1:${server.port}/two`, 101],
      ['ws://127.0.0.1:1/nothing', 0],
    ]);
    expect(entries[0]!._webSocketMessages.map((m: { type: string; data: string }) => [m.type, m.data])).toEqual([['send', 'a'], ['receive', 're: a']]);
    expect(entries[0]!._webSocketClose).toEqual({ code: 1000, reason: 'finished', closedBy: 'client' });
    expect(entries[1]!._webSocketMessages.map((m: { data: string }) => m.data)).toEqual(['b', 're: b']);
    expect(entries[1]).not.toHaveProperty('_webSocketClose');
    expect(entries[2]!._error).toBe('upstream 127.0.0.1:1 refused the connection (ECONNREFUSED)');
  });

  it('in reverse mode sends every connection to the upstream with the request path and rewrites Host', async () => {
    const server = await startWsServer();
    server.wss.on('connection', (ws, req) => ws.send(`${req.url} host=${req.headers.host}`));
    const { child, port } = await startProxyProcess(['--upstream', `ws://127.0.0.1:${server.port}`], { ...process.env, FRAMESCOPE_HOME: dir });
    try {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/api/feed?x=1`);
      expect((await nextMessage(ws)).data.toString()).toBe(`/api/feed?x=1 host=127.0.0.1:${server.port}`);
      ws.close();
      child.kill('SIGINT');
      expect(await exited(child)).toBe(0);
    } finally {
      child.kill('SIGKILL');
      await server.close();
    }
  });

  it('warns on the way to the disk budget, says when it is reached, and keeps relaying', async () => {
    const server = await startWsServer();
    server.wss.on('connection', (ws) => ws.on('message', (d) => ws.send(d)));
    const { child, port, output } = await startProxyProcess(['--disk-budget', String(1024 * 1024)], { ...process.env, FRAMESCOPE_HOME: dir });
    try {
      const ws = wsViaAbsoluteForm(port, `ws://127.0.0.1:${server.port}/big`);
      await opened(ws);
      const chunk = Buffer.alloc(100 * 1024, 7);
      for (let i = 0; i < 8; i++) {
        ws.send(chunk);
        expect((await nextMessage(ws)).data.equals(chunk)).toBe(true);
      }
      // stderr arrives when it arrives: wait for the second line rather than for a time.
      await expect.poll(output, { timeout: 5_000 }).toMatch(/reached its disk budget/);
      expect(output()).toMatch(/framescope: warning: session \S+ has used \d+ MiB of 1 MiB of its disk budget\n/);
      expect(output()).toMatch(/framescope: session \S+ reached its disk budget \(\d+ MiB of 1 MiB\): frames are still recorded, payloads no longer stored \(raise --disk-budget\)\n/);
      ws.close();
    } finally {
      child.kill('SIGTERM');
      await exited(child);
      await server.close();
    }
  });
});
