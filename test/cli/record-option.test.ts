// `--record full|headers|off` and `--record-prefix N` on `framescope proxy` (`ui` and the app share the
// same options): the real command, a real peer, the HAR it writes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { startWsServer, wsViaAbsoluteForm, opened, nextMessage } from '../support/peers.js';
import { startProxyProcess, exited, BIN } from '../support/cli.js';
import { harProblems, type HarEntryJson } from '../support/har-schema.js';

describe('framescope proxy --record', () => {
  let dir: string;
  beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'framescope-record-')); });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('headers with --record-prefix 3 keeps the first 3 bytes of each message, says so at start, and the HAR gives the whole lengths', async () => {
    const server = await startWsServer();
    server.wss.on('connection', (ws) => ws.on('message', (d) => ws.send(`re: ${d.toString()}`)));
    const har = join(dir, 'headers.har');
    const { child, port, output } = await startProxyProcess(['--har', har, '--record', 'headers', '--record-prefix', '3'], { ...process.env, FRAMESCOPE_HOME: dir });
    try {
      const ws = wsViaAbsoluteForm(port, `ws://127.0.0.1:${server.port}/feed`);
      await opened(ws);
      ws.send('abcdef');
      expect((await nextMessage(ws)).data.toString()).toBe('re: abcdef');
      ws.send('xy');
      expect((await nextMessage(ws)).data.toString()).toBe('re: xy');
      expect(output()).toContain("recording: headers: every frame's header fields and violations, the first 3 bytes of each payload\n");
      child.kill('SIGTERM');
      expect(await exited(child)).toBe(0);
      ws.terminate();
    } finally {
      child.kill('SIGKILL');
      await server.close();
    }
    const written = JSON.parse(readFileSync(har, 'utf8'));
    expect(harProblems(written)).toEqual([]);
    const entry = written.log.entries[0] as HarEntryJson;
    expect(entry._webSocketMessages.map((m: Record<string, unknown>) => [m.type, m.data, m.truncated, m._truncated])).toEqual([
      ['send', 'abc', true, 6],
      ['receive', 're:', true, 10],
      ['send', 'xy', undefined, undefined],
      ['receive', 're:', true, 6],
    ]);
    expect(entry._webSocketFrames.map((f: { payloadLength?: unknown }) => f.payloadLength)).toEqual([6, 10, 2, 6]);
  });

  it('refuses a policy it does not know', () => {
    const r = spawnSync(process.execPath, [BIN, 'proxy', '--port', '0', '--record', 'some'], { encoding: 'utf8', env: { ...process.env, FRAMESCOPE_HOME: dir } });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('--record takes one of full, headers, off, not "some"');
  });

  it('documents --record and --record-prefix in --help', () => {
    const r = spawnSync(process.execPath, [BIN, 'proxy', '--help'], { encoding: 'utf8' });
    expect(r.stdout).toContain('--record full|headers|off');
    expect(r.stdout).toContain('--record-prefix N');
  });
});
