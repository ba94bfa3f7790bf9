// `framescope import` with packet captures, as users run it: a capture becomes a session; a file that is
// not one, or is cut short, gets a named problem and no crash.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { BIN } from '../support/cli.js';
import { FLOW4, packets, pcapFile, upgradeSegments } from '../support/capture-builder.js';
import { encodeFrameBytes } from '../../src/protocol/frame-encoder.js';

describe('framescope import with a capture', () => {
  let home: string;
  let env: NodeJS.ProcessEnv;
  const cli = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { env, encoding: 'utf8' });
  let file: Buffer;

  beforeAll(() => {
    home = mkdtempSync(join(tmpdir(), 'framescope-home-'));
    env = { ...process.env, FRAMESCOPE_HOME: home };
    const { segs, next } = upgradeSegments('/feed?x=1');
    const frame = encodeFrameBytes({ opcode: 1, mask: Buffer.from([9, 9, 9, 9]), payload: 'from a capture' });
    file = pcapFile(1, packets(FLOW4, 'ethernet', [...segs, { from: 'c', rel: next.c, payload: frame, ackRel: next.s }]));
  });
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it('imports a tcpdump capture as a session named after the file, which exports as HAR', () => {
    const path = join(home, 'server-side.pcap');
    writeFileSync(path, file);
    const r = cli('import', path);
    expect([r.status, r.stdout, r.stderr]).toEqual([0, 'imported 1 WebSocket connection (pcap, 6 packets) into session "server-side"\n', '']);
    const har = JSON.parse(cli('export', 'server-side', '--har', '-').stdout);
    expect(har.log.entries[0].request.url).toBe('ws://example.test:9000/feed?x=1');
    expect(har.log.entries[0]._webSocketMessages).toEqual([{ type: 'send', time: 1_700_000_000.005, opcode: 1, data: 'from a capture' }]);
  });

  it('names a cut file\'s problem on stderr and keeps what it could read', () => {
    const path = join(home, 'cut.pcap');
    writeFileSync(path, file.subarray(0, file.length - 5));
    const r = cli('import', path, '--session', 'cut');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('imported 1 WebSocket connection (pcap, 5 packets) into session "cut", 1 problem\n');
    expect(r.stderr).toBe(`${path}: truncated-file: the file ends in the middle of a packet record: its last ${16 + 14 + 40 + 20 - 5} bytes (from byte ${file.length - 90}) were not read\n`);
  });

  it('refuses a .pcap that is not a capture with a named problem, leaving no session behind', () => {
    const path = join(home, 'not.pcap');
    writeFileSync(path, '{"log": {"entries": []}}');
    const r = cli('import', path);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`framescope: ${path} was not imported: wrong-magic: the file starts with 0x7b226c6f, which is neither a pcap nor a pcapng file\n`);
    expect(cli('sessions').stdout).not.toMatch(/^not\s/m);
    expect(readFileSync(path, 'utf8')).toBe('{"log": {"entries": []}}');
  });
});
