// "Copy as" for one message: the generated JavaScript and Python run against a real server, which
// must receive exactly the message's bytes, as text or binary as it was; the shell commands run in
// /bin/sh and deliver the exact bytes to the client's standard input.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { messageAsJavaScript } from '../../src/snippets/javascript-snippet.js';
import { messageAsPython } from '../../src/snippets/python-snippet.js';
import { messageAsFramescopeSend, messageAsWebsocat } from '../../src/snippets/shell-snippet.js';
import { messageAsJson } from '../../src/snippets/json-snippet.js';
import type { SnippetConnection, SnippetMessage } from '../../src/snippets/snippet-input.js';
import { BIN } from '../support/cli.js';
import { EVERY_BYTE, HARD_TEXT, PYTHON, runScript, startRecordingServer } from './snippet-peer.js';

const utf8 = (text: string) => new TextEncoder().encode(text);
const text = (value: string): SnippetMessage => ({ direction: 'send', opcode: 1, data: utf8(value), time: 1_700_000_000_123 });
const binary = (data: Uint8Array): SnippetMessage => ({ direction: 'send', opcode: 2, data, time: 1_700_000_000_123 });
/** A text message that is not valid UTF-8 (a lone continuation byte, an overlong NUL). */
const INVALID_TEXT: SnippetMessage = { direction: 'send', opcode: 1, data: Uint8Array.from([0x61, 0x80, 0xc0, 0x80, 0x62]), time: 1_700_000_000_123 };

const CASES: [string, SnippetMessage][] = [
  ['plain text', text('hello')],
  ['text hard to quote', text(HARD_TEXT)],
  ['compact JSON', text('{"op":"buy","qty":10,"note":"a\\"b"}')],
  ['empty text', text('')],
  ['every byte value', binary(EVERY_BYTE)],
  ['empty binary', binary(new Uint8Array())],
];

describe('copy a message as code', () => {
  let server: Awaited<ReturnType<typeof startRecordingServer>>;
  beforeAll(async () => {
    server = await startRecordingServer();
  });
  afterAll(() => server.close());

  const connection = (path: string, rawHeaders: string[] = []): SnippetConnection => ({ url: server.url(path), rawHeaders: ['Host', `127.0.0.1:${server.port}`, 'Upgrade', 'websocket', ...rawHeaders] });

  /** Runs the script, then returns the one connection the server saw on `path`. */
  async function sentBy(program: string, file: string, source: string, path: string) {
    const run = await runScript(program, file, source);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const seen = server.seen.filter((c) => c.request.url === path);
    expect(seen).toHaveLength(1);
    await seen[0]!.closed;
    return { ...seen[0]!, stdout: run.stdout };
  }

  for (const [name, message] of CASES) {
    it(`JavaScript (ws) sends ${name} exactly`, async () => {
      const path = `/js/${encodeURIComponent(name)}`;
      const seen = await sentBy(process.execPath, 'send.mjs', messageAsJavaScript(connection(path), message), path);
      expect(seen.messages).toEqual([{ data: Buffer.from(message.data), isBinary: message.opcode === 2 }]);
      expect(seen.close).toEqual({ code: 1000, reason: '' });
      // It prints the answer (the echo) the way it says: text as it is, binary as base64.
      expect(seen.stdout).toBe(message.opcode === 1 ? `text ${Buffer.from(message.data).toString()}\n` : `binary ${Buffer.from(message.data).toString('base64')}\n`);
    });

    it(`Python (websockets) sends ${name} exactly`, async () => {
      const path = `/py/${encodeURIComponent(name)}`;
      const seen = await sentBy(PYTHON, 'send.py', messageAsPython(connection(path), message), path);
      expect(seen.messages).toEqual([{ data: Buffer.from(message.data), isBinary: message.opcode === 2 }]);
      expect(seen.close).toEqual({ code: 1000, reason: '' });
      expect(seen.stdout).toBe(message.opcode === 1 ? `text ${Buffer.from(message.data).toString()}\n` : `binary ${Buffer.from(message.data).toString('base64')}\n`);
    });
  }

  it('JavaScript sends a text message that is not valid UTF-8 as the same bytes in a text frame', async () => {
    const seen = await sentBy(process.execPath, 'send.mjs', messageAsJavaScript(connection('/js/invalid'), INVALID_TEXT), '/js/invalid');
    expect(seen.messages).toEqual([{ data: Buffer.from(INVALID_TEXT.data), isBinary: false }]);
  });

  it('Python asks for websockets 14 to send a text message that is not valid UTF-8', () => {
    expect(messageAsPython(connection('/py/invalid'), INVALID_TEXT)).toContain('        await ws.send(b"a\\x80\\xc0\\x80b", text=True)  # not valid UTF-8: needs websockets 14+\n');
  });

  for (const [language, program, file, generate] of [
    ['JavaScript', process.execPath, 'send.mjs', messageAsJavaScript],
    ['Python', PYTHON, 'send.py', messageAsPython],
  ] as const) {
    it(`${language} offers the same subprotocols and sends the same headers, and leaves the handshake's own to the library`, async () => {
      const path = `/${language}/headers`;
      const headers = ['Origin', 'http://app.example', 'Cookie', 'a=1', 'Cookie', 'b="two"', 'X-Token', `it's "x" \\ ${Buffer.from('é').toString('latin1')}`, 'Sec-WebSocket-Protocol', 'chat.v2, json', 'Sec-WebSocket-Key', 'dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Version', '13'];
      const seen = await sentBy(program, file, generate(connection(path, headers), text('hi')), path);
      expect(seen.protocol).toBe('chat.v2');
      expect(seen.request.headers['sec-websocket-protocol']!.split(/,\s*/)).toEqual(['chat.v2', 'json']);
      expect(seen.request.headers.origin).toBe('http://app.example');
      // Node reads header octets as latin1, as Framescope captures them: the same octets went out.
      expect(Buffer.from(seen.request.headers['x-token'] as string, 'latin1')).toEqual(Buffer.from(`it's "x" \\ é`));
      expect(seen.request.headers.cookie).toBe('a=1; b="two"');
      // Compression is offered only when the original client offered it.
      expect(seen.request.headers['sec-websocket-extensions']).toBeUndefined();
      expect(seen.request.headers['sec-websocket-key']).not.toBe('dGhlIHNhbXBsZSBub25jZQ==');
    });
  }
});

describe('copy a message as a shell command', () => {
  let server: Awaited<ReturnType<typeof startRecordingServer>>;
  let bin: string;
  beforeAll(async () => {
    server = await startRecordingServer();
    bin = mkdtempSync(join(tmpdir(), 'framescope-bin-'));
    // The real framescope, as `framescope` on PATH.
    writeFileSync(join(bin, 'framescope'), `#!/bin/sh\nexec '${process.execPath}' '${BIN}' "$@"\n`);
    // websocat is not on this machine: a stand-in that writes down its arguments and its standard input.
    writeFileSync(join(bin, 'websocat'), `#!/bin/sh\nprintf '%s\\n' "$@" > '${bin}/websocat.args'\ncat > '${bin}/websocat.stdin'\n`);
    chmodSync(join(bin, 'framescope'), 0o700);
    chmodSync(join(bin, 'websocat'), 0o700);
  });
  afterAll(async () => {
    await server.close();
    rmSync(bin, { recursive: true, force: true });
  });
  const env = () => ({ ...process.env, PATH: `${bin}:${process.env.PATH}` });
  const connection = (path: string, rawHeaders: string[] = []): SnippetConnection => ({ url: server.url(path), rawHeaders });

  for (const [name, message] of [...CASES, ['invalid UTF-8 text', INVALID_TEXT] as const]) {
    it(`websocat gets ${name} on its standard input, and the flags for one message`, async () => {
      const headers = ['Origin', "http://it's.example", 'Sec-WebSocket-Protocol', 'chat'];
      const run = await runScript('/bin/sh', 'send.sh', messageAsWebsocat(connection('/w', headers), message), env());
      expect(run).toEqual({ code: 0, stdout: '', stderr: '' });
      expect(readFileSync(join(bin, 'websocat.stdin'))).toEqual(Buffer.from(message.data));
      expect(readFileSync(join(bin, 'websocat.args'), 'utf8')).toBe(
        `--no-line\n--one-message\n${message.opcode === 1 ? '--text' : '--binary'}\n--protocol\nchat\n-H\nOrigin: http://it's.example\n${server.url('/w')}\n`);
    });
  }

  for (const [name, message] of [...CASES.filter(([n]) => n !== 'empty text' && n !== 'empty binary'), ['invalid UTF-8 text', INVALID_TEXT] as const]) {
    it(`framescope send delivers ${name}`, async () => {
      const path = `/send/${encodeURIComponent(name)}`;
      const run = await runScript('/bin/sh', 'send.sh', messageAsFramescopeSend(connection(path, ['X-Q', "a'b"]), message), env());
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      const seen = server.seen.filter((c) => c.request.url === path);
      expect(seen).toHaveLength(1);
      // A one-line text message goes as text; anything else as a binary message of the same bytes.
      const asLine = message.opcode === 1 && !/[\r\n\0]/.test(Buffer.from(message.data).toString()) && message !== INVALID_TEXT;
      expect(seen[0]!.messages).toEqual([{ data: Buffer.from(message.data), isBinary: !asLine }]);
      expect(seen[0]!.request.headers['x-q']).toBe("a'b");
    });
  }

  it('says so when framescope send must turn a text message into binary', () => {
    expect(messageAsFramescopeSend(connection('/x'), text('a\nb'))).toBe(
      '# framescope send takes one message per line: this text message cannot be one line, so it goes as a binary message of the same bytes\n' +
      `printf '%s\\n' YQpi | framescope send ${server.url('/x')} --binary\n`);
  });
});

describe('copy a message as JSON', () => {
  it('writes the HAR message fields: text as it is, binary as base64, time in seconds, the flags', () => {
    expect(JSON.parse(messageAsJson(text('{"qty":10}')))).toEqual({ type: 'send', time: 1_700_000_000.123, opcode: 1, data: '{"qty":10}' });
    expect(JSON.parse(messageAsJson({ ...binary(Uint8Array.from([0, 255])), direction: 'receive', injected: true }))).toEqual({ type: 'receive', time: 1_700_000_000.123, opcode: 2, data: 'AP8=', injected: true });
    expect(JSON.parse(messageAsJson(INVALID_TEXT))).toEqual({ type: 'send', time: 1_700_000_000.123, opcode: 1, data: 'YYDAgGI=', encoding: 'base64' });
  });
});
