// framescope proxy --session, sessions, export and import, as users run them (child processes).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { startWsServer, wsViaAbsoluteForm, opened, nextMessage, closed } from '../support/peers.js';
import { startProxyProcess, exited, BIN } from '../support/cli.js';
import { harProblems } from '../support/har-schema.js';

const FIXTURES = new URL('../capture/fixtures/', import.meta.url).pathname;

describe('session commands', () => {
  let home: string;
  let env: NodeJS.ProcessEnv;
  const cli = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { env, encoding: 'utf8' });

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'framescope-home-'));
    env = { ...process.env, FRAMESCOPE_HOME: home };
    const server = await startWsServer();
    server.wss.on('connection', (ws) => ws.on('message', (d) => ws.send(`ack ${d.toString()}`)));
    const { child, port } = await startProxyProcess(['--session', 'recorded'], env);
    try {
      for (const path of ['/first', '/second']) {
        const ws = wsViaAbsoluteForm(port, `ws://127.0.0.1:${server.port}${path}`);
        await opened(ws);
        ws.send(`hello ${path}`);
        await nextMessage(ws);
        const done = closed(ws);
        ws.close(1000, 'bye');
        await done;
      }
      // Records reach the file within 100 ms of the traffic; give the last close that long.
      await new Promise((resolve) => setTimeout(resolve, 150));
      child.kill('SIGTERM');
      expect(await exited(child)).toBe(0);
    } finally {
      child.kill('SIGKILL');
      await server.close();
    }
  }, 30_000);
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it('lists the recorded session with its counts', () => {
    const r = cli('sessions', '--json');
    expect(r.status).toBe(0);
    const sessions = JSON.parse(r.stdout) as { name: string; connections: number; frames: number; size: number }[];
    expect(sessions.map((s) => [s.name, s.connections, s.frames])).toEqual([['recorded', 2, 8]]);
    expect(sessions[0]!.size).toBeGreaterThan(0);
    expect(cli('sessions').stdout).toMatch(/^NAME\s+CONNECTIONS\s+FRAMES\s+SIZE\s+LAST CHANGE\nrecorded\s+2\s+8\s/);
  });

  it('exports a session, and one connection of it, as valid HAR', () => {
    const file = join(home, 'all.har');
    expect(cli('export', 'recorded', '--har', file).status).toBe(0);
    // A HAR holds cookies and tokens: only its owner may read it.
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const har = JSON.parse(readFileSync(file, 'utf8'));
    expect(harProblems(har)).toEqual([]);
    expect(har.log.entries.map((e: { request: { url: string } }) => new URL(e.request.url).pathname)).toEqual(['/first', '/second']);
    expect(har.log.entries[0]._webSocketMessages.map((m: { data: string }) => m.data)).toEqual(['hello /first', 'ack hello /first']);
    const one = cli('export', 'recorded', '--har', '-', '--connection', '2');
    expect(JSON.parse(one.stdout).log.entries.map((e: { request: { url: string } }) => new URL(e.request.url).pathname)).toEqual(['/second']);
  });

  it('imports its own export and exports the same HAR again', () => {
    const first = join(home, 'first.har');
    cli('export', 'recorded', '--har', first);
    const r = cli('import', first, '--session', 'again');
    expect(r.stdout).toBe('imported 2 connections (framescope HAR) into session "again"\n');
    const second = join(home, 'second.har');
    expect(cli('export', 'again', '--har', second).status).toBe(0);
    expect(JSON.parse(readFileSync(second, 'utf8'))).toEqual(JSON.parse(readFileSync(first, 'utf8')));
  });

  it('imports a Chrome HAR and names the session after the file', () => {
    const r = cli('import', join(FIXTURES, 'chrome.har'));
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^imported \d+ connections? \(chrome HAR\) into session "chrome"\n$/);
    expect(JSON.parse(cli('sessions', '--json').stdout).map((s: { name: string }) => s.name)).toContain('chrome');
  });

  it('names each problem of a broken HAR and still imports the valid part', () => {
    const broken = join(home, 'broken.har');
    const har = JSON.parse(readFileSync(join(home, 'first.har'), 'utf8'));
    har.log.entries[0]._webSocketMessages[1].data = 42;
    writeFileSync(broken, JSON.stringify(har));
    const r = cli('import', broken);
    expect(r.status).toBe(0);
    const lines = r.stderr.trim().split('\n');
    expect(lines[0]).toBe(`${broken}: entry 0, field "_webSocketMessages[1].data": not a string; message skipped`);
    // Without that message, the frames recorded for it no longer match the messages: said too.
    expect(lines.slice(1).every((l) => l.startsWith(`${broken}: entry 0, field "_webSocketFrames"`))).toBe(true);
    expect(r.stdout).toBe(`imported 2 connections (framescope HAR) into session "broken", ${lines.length} problems\n`);
    // The other connection came through whole.
    const exported = JSON.parse(cli('export', 'broken', '--har', '-', '--connection', '2').stdout);
    expect(exported.log.entries[0]._webSocketMessages.map((m: { data: string }) => m.data)).toEqual(['hello /second', 'ack hello /second']);
  });

  it('refuses a file that is not HAR with a clear error', () => {
    const bad = join(home, 'bad.har');
    writeFileSync(bad, 'this is not json');
    const r = cli('import', bad);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^framescope: .*JSON/);
  });
});
