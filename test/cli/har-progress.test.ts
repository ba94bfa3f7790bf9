// Progress of `framescope export` and `import` on a terminal (a pseudo-terminal from util-linux's
// `script`), and none when stderr is a pipe.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN } from '../support/cli.js';

const SCRIPT = '/usr/bin/script';

describe.runIf(existsSync(SCRIPT))('HAR progress on a terminal', () => {
  let home: string;
  let file: string;
  const env = () => ({ ...process.env, FRAMESCOPE_HOME: home });
  const onTerminal = (...args: string[]) => spawnSync(SCRIPT, ['-qec', [process.execPath, BIN, ...args].map((a) => `'${a}'`).join(' '), '/dev/null'], { env: env(), encoding: 'utf8', timeout: 60_000 });
  const onPipe = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { env: env(), encoding: 'utf8', timeout: 60_000 });

  beforeAll(() => {
    home = mkdtempSync(join(tmpdir(), 'framescope-progress-'));
    mkdirSync(join(home, 'sessions'), { recursive: true, mode: 0o700 });
    file = join(home, 'in.har');
    const messages = Array.from({ length: 3 }, (_, i) => ({ type: 'send', time: 1714557600 + i, opcode: 1, data: `m${i}` }));
    writeFileSync(file, JSON.stringify({ log: { version: '1.2', creator: { name: 'test', version: '1' }, entries: [{
      startedDateTime: '2024-05-01T10:00:00.000Z', _resourceType: 'websocket',
      request: { method: 'GET', url: 'ws://example.test/p', httpVersion: 'HTTP/1.1', headers: [] },
      response: { status: 101, statusText: 'Switching Protocols', httpVersion: 'HTTP/1.1', headers: [] },
      _webSocketMessages: messages,
    }] } }));
  });
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it('shows the import\'s and the export\'s progress in place, then clears the line', () => {
    const size = statSync(file).size;
    const imported = onTerminal('import', file, '--session', 'p');
    expect(imported.status).toBe(0);
    expect(imported.stdout).toContain(`\rimporting ${file}: 100% (${size}/${size} bytes)\x1b[K\r\x1b[K`);
    const out = join(home, 'out.har');
    const exported = onTerminal('export', 'p', '--har', out);
    expect(exported.status).toBe(0);
    expect(exported.stdout).toContain(`\rexporting ${out}: 33% (1/3 messages and frames)\x1b[K\r\x1b[K`);
  });

  it('shows nothing but the result when stderr is not a terminal', () => {
    const out = join(home, 'piped.har');
    const r = onPipe('export', 'p', '--har', out);
    expect(r.stderr).toBe(`wrote ${out}: 1 connection\n`);
  });
});

