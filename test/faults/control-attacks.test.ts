// Attacks on the control API of a real `framescope ui` process. Without the token, with a wrong one,
// from a foreign Origin or under a rebinding Host, the upgrade is refused with its exact status and a
// command sent right behind it is never executed. With the token, messages that are no valid request
// (not JSON, wrong types, unknown and prototype-key command names, binary) get an error, never a crash.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { startUiProcess } from '../support/cli.js';
import { rawExchange, statusLine } from '../support/raw-http.js';
import { startWsServer, wsViaAbsoluteForm, opened, nextMessage } from '../support/peers.js';
import { ControlClient } from '../support/engine.js';
import { encodeFrameBytes } from '../../src/protocol/frame-encoder.js';
import type { ControlServerMessage } from '../../src/control/api-types.js';

describe('control API attacks', () => {
  let home: string;
  let engine: Awaited<ReturnType<typeof startUiProcess>>;
  let api: ControlClient;

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'framescope-attacks-'));
    engine = await startUiProcess([], { ...process.env, FRAMESCOPE_HOME: home });
    api = await ControlClient.connect(`ws://127.0.0.1:${engine.uiPort}/control?token=${engine.token}`);
  });
  afterAll(() => {
    api?.close();
    engine?.child.kill('SIGKILL');
    rmSync(home, { recursive: true, force: true });
  });

  /** An upgrade to the control API with a command frame right behind it, as a hostile page or script would send. */
  function attack(path: string, headers: Record<string, string>) {
    const head = [`GET ${path} HTTP/1.1`, 'Upgrade: websocket', 'Connection: Upgrade', 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Version: 13',
      ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), '', ''].join('\r\n');
    const command = encodeFrameBytes({ opcode: 1, mask: Buffer.from([1, 2, 3, 4]), payload: JSON.stringify({ id: 1, method: 'newSession', params: { name: 'pwned' } }) });
    return rawExchange(engine.uiPort, [head, command]);
  }

  it('refuses each attack with its exact status and never runs the command sent behind it', async () => {
    const before = await api.call('hello', {});
    const own = `127.0.0.1:${engine.uiPort}`;
    const cases: [string, string, Record<string, string>, string][] = [
      ['no token', '/control', { Host: own }, 'HTTP/1.1 401 Unauthorized'],
      ['a wrong token', `/control?token=${'A'.repeat(engine.token.length)}`, { Host: own }, 'HTTP/1.1 401 Unauthorized'],
      ['a token of another length', '/control?token=x', { Host: own }, 'HTTP/1.1 401 Unauthorized'],
      ['a foreign Origin', `/control?token=${engine.token}`, { Host: own, Origin: 'http://evil.example' }, 'HTTP/1.1 403 Forbidden'],
      ['an Origin on another port', `/control?token=${engine.token}`, { Host: own, Origin: `http://127.0.0.1:${engine.uiPort + 1}` }, 'HTTP/1.1 403 Forbidden'],
      ['a rebinding Host', `/control?token=${engine.token}`, { Host: `evil.example:${engine.uiPort}`, Origin: `http://evil.example:${engine.uiPort}` }, 'HTTP/1.1 421 Misdirected Request'],
      ['no Host', `/control?token=${engine.token}`, {}, 'HTTP/1.1 421 Misdirected Request'],
    ];
    for (const [name, path, headers, expected] of cases) {
      const { answer, closed } = await attack(path, headers);
      expect(statusLine(answer), name).toBe(expected);
      expect(closed, name).toBe(true);
    }
    // Each refusal is recorded in the session.
    const refusals = () => api.events.filter((e) => e.kind === 'error' && /^UI server: refused a control connection from 127\.0\.0\.1:\d+ with (401|403|421): /.test(e.message)).length;
    await api.waitForEvent(() => refusals() >= cases.length);
    expect(refusals()).toBe(cases.length);
    const after = await api.call('hello', {});
    expect(after.session.name).toBe(before.session.name);
    expect((await api.call('listSessions', {})).map((s) => s.name)).not.toContain('pwned');
  });

  it('serves no page under a rebinding Host', async () => {
    const { answer, closed } = await rawExchange(engine.uiPort, `GET / HTTP/1.1\r\nHost: evil.example:${engine.uiPort}\r\n\r\n`);
    expect(statusLine(answer)).toBe('HTTP/1.1 421 Misdirected Request');
    expect(answer.toString('latin1')).toMatch(/\r\n\r\nFramescope: this host name is not served here\n$/);
    expect(closed).toBe(true);
  });

  it('answers every malformed message with an error and keeps the connection and the process', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${engine.uiPort}/control?token=${engine.token}`);
    const received: ControlServerMessage[] = [];
    ws.on('message', (data) => received.push(JSON.parse(data.toString()) as ControlServerMessage));
    await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
    const sent: (string | Buffer)[] = [
      '{not json',
      '[]',
      'null',
      '{"id":"7","method":"hello"}',
      '{"id":1.5,"method":"hello"}',
      '{"id":10,"method":5}',
      '{"id":11,"method":"__proto__"}',
      '{"id":12,"method":"constructor"}',
      '{"id":13,"method":"toString"}',
      '{"id":14,"method":"hasOwnProperty"}',
      '{"id":15,"method":"no-such-command"}',
      '{"id":16,"method":"getConnection","params":5}',
      '{"id":17,"method":"getConnection","params":{"id":"x"}}',
      '{"id":18,"method":"hello","params":null}',
      Buffer.from([1, 2, 3]),
    ];
    for (const message of sent) ws.send(message, { binary: Buffer.isBuffer(message) });
    const responses = () => received.filter((m) => m.type === 'response');
    const errorEvents = () => received.flatMap((m) => (m.type === 'events' ? m.events : [])).filter((e) => e.kind === 'error');
    for (let i = 0; i < 200 && (responses().length < 9 || errorEvents().length < 6); i++) await new Promise((resolve) => setTimeout(resolve, 25));
    const byId = new Map(responses().map((r) => [r.id, 'error' in r ? r.error.message : 'ok']));
    expect(Object.fromEntries(byId)).toEqual({
      10: 'a request needs a "method" naming a command',
      11: 'unknown command "__proto__"',
      12: 'unknown command "constructor"',
      13: 'unknown command "toString"',
      14: 'unknown command "hasOwnProperty"',
      15: 'unknown command "no-such-command"',
      16: '"params" of getConnection must be an object',
      17: 'no connection x in this session',
      18: 'ok',
    });
    expect(errorEvents().map((e) => (e as { message: string }).message.replace(/\(.*\)$/, '(…)'))).toEqual([
      'control API: the message is not JSON (…)',
      'control API: a message is a JSON object {id, method, params}',
      'control API: a message is a JSON object {id, method, params}',
      'control API: a request needs a whole-number "id"',
      'control API: a request needs a whole-number "id"',
      'control API: messages are JSON text, not binary',
    ]);
    expect(ws.readyState).toBe(WebSocket.OPEN);
    ws.close();
    expect((await api.call('hello', {})).proxy.address).toBe(`127.0.0.1:${engine.proxyPort}`);
    expect(engine.child.exitCode).toBeNull();
  });

  it('answers every command called with parameters of the wrong types, and serves on', { timeout: 60_000 }, async () => {
    // Every command the API declares, read from its one declaration.
    const declared = readFileSync(new URL('../../src/control/api-types.ts', import.meta.url), 'utf8');
    const block = declared.slice(declared.indexOf('export interface ControlCommands'), declared.indexOf('export type ControlMethod'));
    const commands = [...block.matchAll(/^ {2}(\w+): \{ params:/gm)].map((m) => m[1]!);
    expect(commands.length).toBeGreaterThan(30);
    const server = await startWsServer();
    server.wss.on('connection', (ws) => ws.on('message', (d) => ws.send(d.toString())));
    try {
      // A live connection, so commands that name connection 1 reach the relay.
      const live = wsViaAbsoluteForm(engine.proxyPort, `ws://127.0.0.1:${server.port}/live`);
      await opened(live);
      const wrongTypes = {
        id: '1', connectionId: '1', number: {}, start: -1, end: 1e308, filter: 'x', searchId: [], connectionIds: 'x', text: 5, name: {},
        on: 'yes', direction: 7, message: null, messageNumber: -5, edited: 5, frame: [], mode: 'x', toward: 5, code: 'x', reason: 5,
        rule: 'x', action: {}, editedMessage: 'x', editedRequest: 5, url: 5, headers: 'x', protocols: 7, timing: 5, speed: 'x', targetUrl: {}, settings: 'x',
      };
      const outOfRange = { id: 2 ** 60, connectionId: 1, number: 2 ** 60, start: 2 ** 53, end: -1, messageNumber: -1, searchId: -1, direction: 'sideways', message: { kind: 'nope' }, frame: { opcode: 99 }, rule: { id: -1 } };
      const ws = new WebSocket(`ws://127.0.0.1:${engine.uiPort}/control?token=${engine.token}`);
      await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
      const answered = new Set<number>();
      ws.on('message', (data) => {
        const message = JSON.parse(data.toString()) as ControlServerMessage;
        if (message.type === 'response') answered.add(message.id);
      });
      let id = 1000;
      for (const method of commands) {
        ws.send(JSON.stringify({ id: id++, method, params: {} }));
        ws.send(JSON.stringify({ id: id++, method, params: wrongTypes }));
        ws.send(JSON.stringify({ id: id++, method, params: outOfRange }));
        ws.send(`{"id":${id++},"method":"${method}","params":{"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":1}}}}`);
      }
      for (let i = 0; i < 2000 && answered.size < id - 1000; i++) await new Promise((resolve) => setTimeout(resolve, 25));
      expect(answered.size).toBe(id - 1000);
      ws.close();
      expect(engine.child.exitCode).toBeNull();
      // Still relaying and still answering.
      const after = wsViaAbsoluteForm(engine.proxyPort, `ws://127.0.0.1:${server.port}/after`);
      await opened(after);
      after.send('served on');
      expect((await nextMessage(after)).data.toString()).toBe('served on');
      after.close();
      live.terminate();
      expect((await api.call('hello', {})).proxy.address).toBe(`127.0.0.1:${engine.proxyPort}`);
    } finally {
      await server.close();
    }
  });
});
