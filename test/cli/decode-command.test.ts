// `framescope decode` as a user runs it: the compiled CLI in a child process.
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { captureWsExchange } from '../protocol/ws-capture.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Runs `framescope decode ARGS` with optional standard input. */
function decode(args: string[], input = ''): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ['bin/framescope.js', 'decode', ...args], { cwd: root, input, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const lines = (stdout: string): string[] => stdout.split('\n').filter((line) => line !== '');

beforeAll(() => {
  // bin/ runs the compiled dist/: build it first.
  execFileSync(`${root}/node_modules/.bin/tsc`, ['-b', 'tsconfig.engine.json'], { cwd: root, stdio: 'pipe' });
});

describe('framescope decode', () => {
  it('decodes the RFC 6455 §5.7 masked "Hello" from a client', () => {
    const result = decode(['81 85 37 fa 21 3d 7f 9f 4d 51 58']);
    expect(result).toEqual({
      status: 0,
      stdout: '{"fin":true,"rsv1":false,"rsv2":false,"rsv3":false,"opcode":1,"masked":true,"maskKey":"37fa213d","payloadLength":5,"payload":"SGVsbG8=","message":{"opcode":1,"data":"Hello"}}\n',
      stderr: '',
    });
  });

  it('decodes a fragmented text message from a server, the message on its last frame', () => {
    const result = decode(['--from', 'server', '01:03:48:65:6c', '80:02:6c:6f']);
    expect(result.status).toBe(0);
    expect(lines(result.stdout)).toEqual([
      '{"fin":false,"rsv1":false,"rsv2":false,"rsv3":false,"opcode":1,"masked":false,"payloadLength":3,"payload":"SGVs"}',
      '{"fin":true,"rsv1":false,"rsv2":false,"rsv3":false,"opcode":0,"masked":false,"payloadLength":2,"payload":"bG8=","message":{"opcode":1,"data":"Hello"}}',
    ]);
  });

  it('decodes messages that ws compressed with permessage-deflate, with context takeover', async () => {
    const exchange = await captureWsExchange({
      serverDeflate: { threshold: 0 },
      clientDeflate: { threshold: 0 },
      clientSends: [],
      serverSends: ['Hello, Hello, Hello!', 'Hello, Hello, Hello!'],
    });
    const wire = exchange.serverToClient;
    // Two short unmasked frames: 2 header bytes each, then the payload.
    const first = wire.subarray(2, 2 + wire[1]!);
    const secondAt = 2 + first.length;
    const second = wire.subarray(secondAt + 2, secondAt + 2 + wire[secondAt + 1]!);
    expect([wire[0], wire[secondAt]]).toEqual([0xc1, 0xc1]); // FIN, RSV1, text
    const bytes = wire.subarray(0, secondAt + 2 + second.length);

    const result = decode(['--from', 'server', '--deflate', exchange.responseExtensions!, bytes.toString('hex')]);
    expect(exchange.responseExtensions).toBe('permessage-deflate');
    expect(result.stderr).toBe('');
    expect(lines(result.stdout)).toEqual([
      `{"fin":true,"rsv1":true,"rsv2":false,"rsv3":false,"opcode":1,"masked":false,"payloadLength":${first.length},"payload":"${first.toString('base64')}","message":{"opcode":1,"data":"Hello, Hello, Hello!"}}`,
      `{"fin":true,"rsv1":true,"rsv2":false,"rsv3":false,"opcode":1,"masked":false,"payloadLength":${second.length},"payload":"${second.toString('base64')}","message":{"opcode":1,"data":"Hello, Hello, Hello!"}}`,
    ]);
    expect(second.length).toBeLessThan(first.length);
  });

  it('reads base64 from standard input with "-" and when no bytes are given', () => {
    const expected = '{"fin":true,"rsv1":false,"rsv2":false,"rsv3":false,"opcode":1,"masked":true,"maskKey":"37fa213d","payloadLength":5,"payload":"SGVsbG8=","message":{"opcode":1,"data":"Hello"}}\n';
    expect(decode(['--base64', '-'], 'gYU3+iE9f59NUVg=\n')).toEqual({ status: 0, stdout: expected, stderr: '' });
    expect(decode(['--base64'], 'gYU3+iE9\nf59NUVg\n')).toEqual({ status: 0, stdout: expected, stderr: '' });
  });

  it('prints binary messages as base64, close codes, violations and a truncated last frame', () => {
    const result = decode(['--from', 'server', '82 02 ff 00', '88 05 03 e8 62 79 65', '81 05 48']);
    expect(lines(result.stdout)).toEqual([
      '{"fin":true,"rsv1":false,"rsv2":false,"rsv3":false,"opcode":2,"masked":false,"payloadLength":2,"payload":"/wA=","message":{"opcode":2,"data":"/wA=","encoding":"base64"}}',
      '{"fin":true,"rsv1":false,"rsv2":false,"rsv3":false,"opcode":8,"masked":false,"payloadLength":5,"closeCode":1000,"closeReason":"bye","payload":"A+hieWU="}',
      '{"fin":true,"rsv1":false,"rsv2":false,"rsv3":false,"opcode":1,"masked":false,"payloadLength":5,"violations":["truncated-frame","frame-after-close"],"payload":"SA==","message":{"opcode":1,"data":"H","unfinished":true}}',
    ]);
    expect(result.status).toBe(0);
  });

  it('prints text that is not valid UTF-8 as base64 with its violation', () => {
    const result = decode(['--from', 'server', '81 02 c0 af']);
    expect(lines(result.stdout)).toEqual([
      '{"fin":true,"rsv1":false,"rsv2":false,"rsv3":false,"opcode":1,"masked":false,"payloadLength":2,"violations":["invalid-utf8"],"payload":"wK8=","message":{"opcode":1,"data":"wK8=","encoding":"base64"}}',
    ]);
  });

  it('rejects a character that is not hex, naming its position, with exit code 2', () => {
    expect(decode(['81 85 37 fz'])).toEqual({ status: 2, stdout: '', stderr: 'framescope decode: invalid hex input: "z" at character 11 is not a hex digit\n' });
  });

  it('rejects an odd number of hex digits', () => {
    expect(decode(['818'])).toEqual({ status: 2, stdout: '', stderr: 'framescope decode: invalid hex input: 3 hex digits is an odd number; the last byte is missing a digit\n' });
  });

  it('rejects bad base64, naming its position', () => {
    expect(decode(['--base64', 'gYU3*iE9'])).toEqual({ status: 2, stdout: '', stderr: 'framescope decode: invalid base64 input: "*" at character 5 is not a base64 character\n' });
  });

  it('rejects an invalid --deflate header and an unknown --from', () => {
    expect(decode(['--deflate', 'permessage-deflate; server_max_window_bits=16', '00'])).toEqual({
      status: 2,
      stdout: '',
      stderr: 'framescope decode: --deflate "permessage-deflate; server_max_window_bits=16": parameter "server_max_window_bits" has the invalid value "16"; expected 8 to 15 (RFC 7692 §7.1.2)\n',
    });
    expect(decode(['--from', 'proxy', '00'])).toEqual({ status: 2, stdout: '', stderr: 'framescope decode: --from must be "client" or "server", not "proxy"\n' });
  });

  it('prints its usage and the field list with --help', () => {
    const result = decode(['--help']);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^usage: framescope decode \[--from client\|server\] \[--deflate "permessage-deflate; <params>"\] \[--base64\] \[BYTES \| -\]\n/);
    for (const field of ['fin, rsv1, rsv2, rsv3', 'opcode', 'masked', 'maskKey', 'payloadLength', 'closeCode, closeReason', 'violations', 'payload', 'message']) {
      expect(result.stdout).toContain(`\n  ${field} `);
    }
  });
});
