// "Copy as script" for a whole connection: the generated JavaScript and Python open the connection
// again against a real server and send what the original server received, in order, each after the
// answers the server had given by then; dropped messages stay out, edited ones go as they were sent,
// and Framescope's own injections toward the client are not counted as the server's answers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectionAsJavaScript } from '../../src/snippets/javascript-snippet.js';
import { connectionAsPython } from '../../src/snippets/python-snippet.js';
import { conversation, type SnippetConnection, type SnippetMessage } from '../../src/snippets/snippet-input.js';
import { HARD_TEXT, PYTHON, runScript, startRecordingServer } from './snippet-peer.js';

const utf8 = (text: string) => new TextEncoder().encode(text);
let clock = 1_700_000_000_000;
const msg = (direction: 'send' | 'receive', data: string | Uint8Array, flags: Partial<SnippetMessage> = {}): SnippetMessage =>
  ({ direction, opcode: typeof data === 'string' ? 1 : 2, data: typeof data === 'string' ? utf8(data) : data, time: clock++, ...flags });

/** The recorded conversation: a greeting, two echoes, a dropped and an edited message, an injection toward the client. */
const MESSAGES: SnippetMessage[] = [
  msg('receive', 'welcome'),
  msg('send', 'a'),
  msg('receive', 'a'),
  msg('send', Uint8Array.from([0, 1, 2, 255])),
  msg('receive', Uint8Array.from([0, 1, 2, 255])),
  msg('send', 'held and dropped', { dropped: true }),
  msg('receive', 'made by Framescope', { injected: true }),
  msg('send', HARD_TEXT, { edited: true }),
  msg('receive', HARD_TEXT),
];

describe('copy a connection as a script', () => {
  let server: Awaited<ReturnType<typeof startRecordingServer>>;
  beforeAll(async () => {
    server = await startRecordingServer('welcome');
  });
  afterAll(() => server.close());

  const connection = (path: string, close?: SnippetConnection['close']): SnippetConnection => ({
    url: server.url(path),
    rawHeaders: ['Host', `127.0.0.1:${server.port}`, 'Origin', 'http://app.example', 'Sec-WebSocket-Protocol', 'chat'],
    close,
  });

  it('pairs each message the server received with the answers it had sent before it', () => {
    const { sends, answers } = conversation(MESSAGES);
    expect(sends.map((s) => [new TextDecoder().decode(s.message.data), s.answersBefore])).toEqual([['a', 1], ['\0\x01\x02\ufffd', 2], [HARD_TEXT, 3]]);
    expect(answers).toBe(4);
  });

  for (const [language, program, file, generate] of [
    ['JavaScript', process.execPath, 'replay.mjs', connectionAsJavaScript],
    ['Python', PYTHON, 'replay.py', connectionAsPython],
  ] as const) {
    it(`${language}: the server receives the same messages in the same order, and the client's close`, async () => {
      const path = `/${language}/replay`;
      const run = await runScript(program, file, generate(connection(path, { code: 4001, reason: 'done é', closedBy: 'client' }), MESSAGES));
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      const seen = server.seen.filter((c) => c.request.url === path);
      expect(seen).toHaveLength(1);
      await seen[0]!.closed;
      expect(seen[0]!.protocol).toBe('chat');
      expect(seen[0]!.request.headers.origin).toBe('http://app.example');
      expect(seen[0]!.messages).toEqual([
        { data: Buffer.from('a'), isBinary: false },
        { data: Buffer.from([0, 1, 2, 255]), isBinary: true },
        { data: Buffer.from(HARD_TEXT), isBinary: false },
      ]);
      expect(seen[0]!.close).toEqual({ code: 4001, reason: 'done é' });
      // It prints every answer in order, after waiting for each.
      expect(run.stdout).toBe(`text welcome\ntext a\nbinary AAEC/w==\ntext ${HARD_TEXT}\n`);
    });

    it(`${language}: closes with 1000 when the server ended the original`, async () => {
      const path = `/${language}/server-closed`;
      const run = await runScript(program, file, generate(connection(path, { code: 1001, reason: 'going away', closedBy: 'server' }), MESSAGES.slice(0, 3)));
      expect(run.code).toBe(0);
      const seen = server.seen.filter((c) => c.request.url === path);
      await seen[0]!.closed;
      expect(seen[0]!.messages).toEqual([{ data: Buffer.from('a'), isBinary: false }]);
      expect(seen[0]!.close).toEqual({ code: 1000, reason: '' });
    });
  }
});
