// Hostile HAR files: each gets an exact error or an exact import result, in bounded time, and the
// process that reads it lives on (the CLI runs as a child process and exits with its own code).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync, createWriteStream } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN } from '../support/cli.js';
import { formatHarImportProblem, HarImportError, importHar } from '../../src/capture/har-import.js';

const PEAK_RSS = new URL('../support/peak-rss.mjs', import.meta.url).pathname;

const wsEntry = (fields: Record<string, unknown> = {}) => ({
  startedDateTime: '2024-05-01T10:00:00.000Z',
  request: { method: 'GET', url: 'ws://example.test/feed', httpVersion: 'HTTP/1.1', headers: [] },
  response: { status: 101, statusText: 'Switching Protocols', httpVersion: 'HTTP/1.1', headers: [] },
  _resourceType: 'websocket',
  ...fields,
});
const har = (entries: unknown[]) => JSON.stringify({ log: { version: '1.2', creator: { name: 'test', version: '1' }, entries } });

function importError(text: string): string {
  try {
    importHar(text);
  } catch (error) {
    expect(error).toBeInstanceOf(HarImportError);
    return (error as Error).message;
  }
  throw new Error('imported');
}

describe('hostile HAR files, read in-process', () => {
  it('ends every 2-byte input with a HarImportError (bytes 00 0b spun forever before)', () => {
    const seen = new Map<string, number>();
    for (let a = 0; a < 256; a++) {
      for (let b = 0; b < 256; b++) {
        const message = importError(Buffer.from([a, b]).toString('utf8')).replace(/(character) .*$/, '$1 …');
        seen.set(message, (seen.get(message) ?? 0) + 1);
      }
    }
    expect(importError(Buffer.from([0x00, 0x0b]).toString('utf8'))).toBe('not JSON: unexpected character U+0000 at character 0');
    expect(importError('\v\f')).toBe('not JSON: unexpected character U+000B at character 0');
    expect(importError('{\v')).toBe('not JSON: unexpected character U+000B at character 1');
    expect([...seen.keys()].every((m) => m.startsWith('not JSON: ') || m === 'no "log" object: this is not a HAR file')).toBe(true);
  });

  it('reads a HAR behind a UTF-8 byte order mark as it reads the HAR itself', () => {
    const text = har([wsEntry({ _webSocketMessages: [{ type: 'send', time: 1714557600.5, opcode: 1, data: 'hi' }] })]);
    const plain = importHar(text);
    const withBom = importHar(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]).toString('utf8'));
    expect(withBom).toStrictEqual(plain);
    expect(plain.connections.map((c) => c.messages.map((m) => m.message.data.toString()))).toEqual([['hi']]);
    expect(importError('\ufeff')).toBe('not JSON: the file holds no JSON value (it is empty or only whitespace) at character 0');
  });

  it('refuses texts that are not JSON, or JSON that is not a HAR, by name', () => {
    expect(importError('<html>not a HAR</html>')).toBe('not JSON: unexpected "<" at character 0');
    expect(importError('')).toBe('not JSON: the file holds no JSON value (it is empty or only whitespace) at character 0');
    expect(importError('[{"log": {}}]')).toBe('no "log" object: this is not a HAR file');
    expect(importError('{"log": "x"}')).toBe('no "log" object: this is not a HAR file');
    expect(importError('{"log": {"entries": "x"}}')).toBe('"log.entries" is not an array: this is not a HAR file');
    expect(importError('{"log": {"version": "1.2"}}')).toBe('"log.entries" is not an array: this is not a HAR file');
  });

  it('reads 100,000 levels of nesting past where import does not look, and refuses them inside an entry', () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    const outside = importHar(`{"log": {"pages": ${deep}, "comment": ${deep}, "entries": [${JSON.stringify(wsEntry())}]}, "x": ${deep}}`);
    expect(outside.connections.map((c) => c.url)).toEqual(['ws://example.test/feed']);
    expect(outside.problems).toEqual([]);
    const inside = `{"log": {"entries": [{"request": ${deep}}]}}`;
    expect(importError(inside)).toBe('a value in entry 0 nests deeper than 100 levels (at character 132): this is not a HAR file');
    const unclosed = `{"log": {"entries": [${JSON.stringify(wsEntry())}, ${'['.repeat(100_000)}`;
    const cut = importHar(unclosed);
    expect(cut.connections).toHaveLength(1);
    expect(cut.problems.map(formatHarImportProblem)).toEqual([
      `file, field "log.entries": the file breaks off after character ${unclosed.indexOf(', [[')} (the text ends with 100003 container(s) still open at character ${unclosed.length}); what came before is imported`,
    ]);
  });

  it('refuses an entry or a message holding more than 100,000 values in one place, and reads huge arrays past where import does not look', () => {
    const many = `[${'0,'.repeat(150_000)}0]`;
    const inEntry = `{"log": {"entries": [{"request": {"headers": ${many}}}]}}`;
    expect(importError(inEntry)).toBe(`entry 0 holds more than 100000 values in one place (at character ${inEntry.indexOf('0,') + 200_000}): this is not a HAR file`);
    const inMessage = `{"log": {"entries": [{"_webSocketMessages": [{"data": ${many}}]}]}}`;
    expect(importError(inMessage)).toBe(`entry 0 holds more than 100000 values in one place (at character ${inMessage.indexOf('0,') + 200_000}): this is not a HAR file`);
    const outside = importHar(`{"log": {"pages": ${many}, "entries": [${JSON.stringify(wsEntry())}]}}`);
    expect(outside.connections).toHaveLength(1);
    // Many messages are many places: each message counts on its own.
    const messages = Array.from({ length: 30_000 }, (_, i) => ({ type: 'send', time: 1714557600 + i, opcode: 1, data: String(i) }));
    expect(importHar(har([wsEntry({ _webSocketMessages: messages })])).connections[0]!.messages).toHaveLength(30_000);
  });

  it('names every field of the wrong type and imports what is left', () => {
    const result = importHar(har([
      42,
      [1, 2],
      wsEntry({ request: 'GET /' }),
      wsEntry({
        startedDateTime: 5,
        request: { method: 7, url: 'ws://example.test/x', httpVersion: 1.1, headers: {} },
        response: { status: '101', statusText: 0 },
        _webSocketMessages: [7, { type: 1, time: 1714557600.5, opcode: 1, data: 'a' }, { type: 'send', time: '1', opcode: 1, data: 'b' },
          { type: 'send', time: 1714557600.5, opcode: 2, data: '***' }, { type: 'send', time: 1714557600.5, opcode: 1, data: [] }],
        _webSocketFrames: 'none',
        _webSocketClose: 5,
        _framescope: [],
      }),
    ]));
    expect(result.problems.map(formatHarImportProblem)).toEqual([
      'entry 0: not an object; entry skipped',
      'entry 1: not an object; entry skipped',
      'entry 2, field "request": missing or not an object; entry skipped',
      'entry 3, field "_framescope": not an object; ignored',
      'entry 3, field "_webSocketMessages[0]": not an object; message skipped',
      'entry 3, field "_webSocketMessages[1].type": 1 is not "send" or "receive"; message skipped',
      'entry 3, field "_webSocketMessages[2].time": "1" is not a time; the message takes the time of the one before it',
      'entry 3, field "_webSocketMessages[3].data": not valid base64 for a binary message; message skipped',
      'entry 3, field "_webSocketMessages[4].data": not a string; message skipped',
      'entry 3, field "_webSocketFrames": not an array; no frames imported',
      'entry 3, field "startedDateTime": 5 is not an ISO date; the connection starts at the epoch (1970-01-01T00:00:00.000Z)',
      'entry 3, field "request.method": 7 is not a method; read as GET',
      'entry 3, field "request.httpVersion": 1.1 is not an HTTP version; read as 1.1',
      'entry 3, field "request.headers": not an array; no headers read',
      'entry 3, field "response.status": "101" is not a status code; the handshake has no answer',
      'entry 3, field "_webSocketClose": not an object; no close recorded',
    ]);
    expect(result.connections.map((c) => [c.id, c.url, c.state, c.messages.map((m) => [m.direction, m.time, m.message.data.toString()])])).toEqual([
      [1, 'ws://example.test/x', 'failed', [['send', 0, 'b']]],
    ]);
  });

  it('imports a HAR cut at any point of its text up to its last complete value, or refuses it by name', () => {
    const text = JSON.stringify(JSON.parse(har([
      wsEntry({ _webSocketMessages: [{ type: 'send', time: 1714557600.5, opcode: 1, data: 'one' }, { type: 'receive', time: 1714557600.6, opcode: 2, data: 'AAE=' }] }),
      wsEntry({ _webSocketMessages: [{ type: 'send', time: 1714557601.5, opcode: 1, data: 'two' }] }),
    ])), null, 2);
    const whole = importHar(text);
    for (let end = 0; end < text.length; end++) {
      let result;
      try {
        result = importHar(text.slice(0, end));
      } catch (error) {
        expect(error).toBeInstanceOf(HarImportError);
        continue;
      }
      // What a cut text yields is a prefix of what the whole yields, message by message.
      expect(result.connections.length).toBeLessThanOrEqual(whole.connections.length);
      result.connections.forEach((c, i) => {
        const messages = c.messages.map((m) => m.message.data.toString('hex'));
        expect(whole.connections[i]!.messages.map((m) => m.message.data.toString('hex')).slice(0, messages.length)).toEqual(messages);
      });
      expect(result.problems.length).toBeGreaterThan(0);
    }
  });
});

describe('hostile HAR files, through `framescope import`', () => {
  let home: string;
  const cli = (...args: string[]) => spawnSync(process.execPath, ['--import', PEAK_RSS, BIN, ...args], {
    env: { ...process.env, FRAMESCOPE_HOME: home }, encoding: 'utf8', timeout: 60_000, maxBuffer: 512 * 1024 * 1024,
  });
  const sessions = () => readdirSync(join(home, 'sessions')).filter((f) => f.endsWith('.fscap')).sort();
  const stderrOf = (r: { stderr: string }) => r.stderr.replace(/\npeak-rss \d+\n$/, '');
  const peakOf = (r: { stderr: string }) => Number(/peak-rss (\d+)/.exec(r.stderr)![1]);

  beforeAll(() => {
    home = mkdtempSync(join(tmpdir(), 'framescope-hostile-'));
    mkdirSync(join(home, 'sessions'), { recursive: true, mode: 0o700 });
  });
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it('refuses the 2-byte file 00 0b with a named error, exit 1, and leaves no session', () => {
    const file = join(home, 'two-bytes.har');
    writeFileSync(file, Buffer.from([0x00, 0x0b]));
    const r = cli('import', file);
    expect(r.status).toBe(1);
    expect(stderrOf(r)).toBe(`framescope: ${file} was not imported: not JSON: unexpected character U+0000 at character 0 (import a .har file saved by Framescope, a browser's DevTools, HTTP Toolkit, mitmproxy or Playwright)\n`);
    expect(sessions()).toEqual([]);
  });

  it('says what to do about a path that does not exist or is a directory', () => {
    const missing = join(home, 'nope.har');
    const r = cli('import', missing);
    expect(r.status).toBe(1);
    expect(stderrOf(r)).toBe(`framescope: ${missing} does not exist: check the path (a HAR file saved from Framescope, a browser or a proxy)\n`);
    const dir = cli('import', home);
    expect(dir.status).toBe(1);
    expect(stderrOf(dir)).toBe(`framescope: ${home} is a directory, not a file: give the path of the .har file in it\n`);
    expect(sessions()).toEqual([]);
  });

  it('imports a 64 MiB HAR of 64 KiB messages in bounded memory, every byte intact', async () => {
    const file = join(home, 'huge.har');
    const out = createWriteStream(file);
    const message = Buffer.alloc(64 * 1024, 0x61);
    const count = 1024;
    const [head, tail] = har([wsEntry({ _webSocketMessages: ['HOLE'] })]).split('"HOLE"');
    out.write(head);
    for (let i = 0; i < count; i++) {
      if (!out.write(`${i ? ',' : ''}{"type":"${i % 2 ? 'receive' : 'send'}","time":${1714557600 + i / 1000},"opcode":2,"data":"${message.toString('base64')}"}`)) await once(out, 'drain');
    }
    out.end(tail);
    await once(out, 'finish');
    const r = cli('import', file, '--session', 'huge');
    expect(stderrOf(r)).toBe('');
    expect(r.stdout).toBe('imported 1 connection (unknown HAR) into session "huge"\n');
    // 64 MiB of base64 read as a stream: the process stays far below the file's size.
    expect(peakOf(r)).toBeLessThan(200 * 1024 * 1024);
    const exported = cli('export', 'huge', '--har', '-');
    const messages = JSON.parse(exported.stdout).log.entries[0]._webSocketMessages as { data: string }[];
    expect(messages).toHaveLength(count);
    expect(messages.every((m) => m.data === message.toString('base64'))).toBe(true);
  }, 120_000);
});
