// `framescope decode --lens`: the protocol beside each message, from the compiled CLI.
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

function decode(args: string[]): { status: number | null; lines: Record<string, unknown>[]; stderr: string } {
  const result = spawnSync(process.execPath, ['bin/framescope.js', 'decode', ...args], { cwd: root, encoding: 'utf8' });
  return { status: result.status, lines: result.stdout.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>), stderr: result.stderr };
}

/** Unmasked frames from a server, as hex. */
const serverFrame = (opcode: number, payload: Buffer) => Buffer.concat([Buffer.from([0x80 | opcode, payload.length]), payload]).toString('hex');
const text = (s: string) => serverFrame(1, Buffer.from(s));

beforeAll(() => {
  execFileSync(`${root}/node_modules/.bin/tsc`, ['-b', 'tsconfig.engine.json'], { cwd: root, stdio: 'pipe' });
});

describe('framescope decode --lens', () => {
  it('detects Socket.IO from --url and prints each message\'s packet beside it, a binary event on its last attachment', () => {
    const result = decode(['--from', 'server', '--lens', 'auto', '--url', '/socket.io/?EIO=4&transport=websocket',
      text('40{"sid":"x"}'), text('42["message",{"text":"hi"}]'), text('451-["bin",{"_placeholder":true,"num":0}]'), serverFrame(2, Buffer.from([1, 2]))]);
    expect(result.status).toBe(0);
    expect(result.lines.map((l) => l['protocol'])).toEqual([
      { name: 'socket.io', type: 'CONNECT', summary: 'CONNECT / sid x', channel: '/', data: { sid: 'x' } },
      { name: 'socket.io', type: 'EVENT', summary: 'EVENT message', event: 'message', channel: '/', data: [{ text: 'hi' }] },
      undefined,
      { name: 'socket.io', type: 'BINARY_EVENT', summary: 'BINARY_EVENT bin', event: 'bin', channel: '/', data: [{ _binary: 'AQI=' }] },
    ]);
    expect(result.lines[1]!['message']).toEqual({ opcode: 1, data: '42["message",{"text":"hi"}]' });
  });

  it('prints an array for a message of several packets, and what a lens could not read', () => {
    const result = decode(['--from', 'server', '--lens', 'json-rpc', text('[{"jsonrpc":"2.0","id":1,"result":2},{"jsonrpc":"2.0","id":2,"result":3}]'), text('nope')]);
    expect(result.status).toBe(0);
    expect(result.lines[0]!['protocol']).toEqual([
      { name: 'json-rpc', type: 'response', summary: 'response #1', id: 1, data: 2 },
      { name: 'json-rpc', type: 'response', summary: 'response #2', id: 2, data: 3 },
    ]);
    expect(result.lines[1]!['protocol']).toBeUndefined();
    expect(result.lines[1]!['protocolProblems']).toEqual([expect.stringMatching(/^a JSON-RPC message is not JSON: /)]);
  });

  it('detects from --subprotocol, says when nothing was recognised, and refuses an unknown lens', () => {
    const graphql = decode(['--from', 'server', '--lens', 'auto', '--subprotocol', 'graphql-transport-ws', text('{"type":"connection_ack"}')]);
    expect(graphql.lines[0]!['protocol']).toEqual({ name: 'graphql-transport-ws', type: 'connection_ack', summary: 'connection_ack' });
    const none = decode(['--from', 'server', '--lens', 'auto', text('hello')]);
    expect(none.status).toBe(0);
    expect(none.lines[0]!['protocol']).toBeUndefined();
    expect(none.stderr).toBe('framescope decode: no lens recognised these messages (name one with --lens NAME, or give --url or --subprotocol)\n');
    const bad = decode(['--lens', 'socketio', '81 00']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^framescope decode: --lens must be "auto" or one of socket\.io, engine\.io, /);
  });
});
