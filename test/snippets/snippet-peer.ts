// What the snippet tests run the generated code against: a real ws server that records every message
// it receives (exact bytes, text or binary), the handshake it saw and the close, and answers each
// message with the same one. Scripts run as real processes: Node for JavaScript, /usr/bin/python3
// (Debian's websockets) for Python, /bin/sh for shell commands.
import { isUtf8 } from 'node:buffer';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WebSocket } from 'ws';
import { startWsServer } from '../support/peers.js';

export const PYTHON = '/usr/bin/python3';
const ROOT = new URL('../../', import.meta.url).pathname;

export interface SeenConnection {
  request: IncomingMessage;
  protocol: string;
  messages: { data: Buffer; isBinary: boolean }[];
  close?: { code: number; reason: string };
  closed: Promise<void>;
}

/** An echo server that records what each connection carried; `greeting` is sent first when given. */
export async function startRecordingServer(greeting?: string) {
  const seen: SeenConnection[] = [];
  const server = await startWsServer({
    // Invalid UTF-8 in a text message must arrive as it was sent, not end the connection.
    skipUTF8Validation: true,
    handleProtocols: (protocols) => protocols.values().next().value ?? false,
  });
  server.wss.on('connection', (ws: WebSocket, request: IncomingMessage) => {
    let done = () => {};
    const connection: SeenConnection = { request, protocol: ws.protocol, messages: [], closed: new Promise((resolve) => (done = resolve)) };
    seen.push(connection);
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      connection.messages.push({ data, isBinary });
      // Text that is not valid UTF-8 comes back as binary: a client would rightly refuse it as text.
      ws.send(data, { binary: isBinary || !isUtf8(data) });
    });
    ws.on('close', (code: number, reason: Buffer) => {
      connection.close = { code, reason: reason.toString() };
      done();
    });
    if (greeting !== undefined) ws.send(greeting);
  });
  return { ...server, seen, url: (path: string) => `ws://127.0.0.1:${server.port}${path}` };
}

/** Runs a program on a script written to a scratch directory whose node_modules is the project's. */
export async function runScript(program: string, fileName: string, source: string, env: NodeJS.ProcessEnv = process.env): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'framescope-snippet-'));
  try {
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
    const file = join(dir, fileName);
    writeFileSync(file, source);
    const child = spawn(program, program === '/bin/sh' ? [file] : [file], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    return { code, stdout, stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Bytes that are hard to carry: every byte value, so quoting and escaping are tested whole. */
export const EVERY_BYTE = Uint8Array.from({ length: 256 }, (_, i) => i);
/** Text that is hard to quote: quotes of every kind, backslashes, escapes that are not, line breaks, NUL, non-ASCII and astral characters, U+2028. */
export const HARD_TEXT = `it's "quoted" \`tick\` \\ \\n \${x} %s %% $HOME\nline 2\r\n\ttab \u0000 nul é ü 中文 😀 \u2028 \u2029 \\x41 {"qty":10}`;
