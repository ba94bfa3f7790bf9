// `framescope mock` as a real process, against a conversation recorded through `framescope proxy`
// between Python's websockets (client) and ws (server) with a subprotocol and permessage-deflate: the
// same client gets the same answers in the same order from the mock, byte for byte.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import net from 'node:net';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startWsServer } from '../support/peers.js';
import { BIN, exited, startProxyProcess } from '../support/cli.js';
import { spawnSync } from 'node:child_process';
import { hasPythonWebsockets, runPythonClient, startMockProcess, type PlanStep } from '../support/mock-peers.js';
import { SessionCatalog } from '../../src/capture/session-catalog.js';
import { sessionsDir } from '../../src/home.js';
import { compareAnswers, serverAnswers } from '../../src/proxy/replay-comparison.js';

const PLAN: PlanStep[] = [
  ['text', 'ping', 1],
  ['text', '{"type":"get","id":1}', 1],
  ['binary', '000102fa', 1],
  ['text', 'subscribe', 2],
  ['text', 'big', 1],
];
const hex = (text: string) => Buffer.from(text).toString('hex');
const line = (t: 'text' | 'binary', h: string) => JSON.stringify({ t, hex: h });

describe.runIf(hasPythonWebsockets)('framescope mock', () => {
  let home: string;
  let env: NodeJS.ProcessEnv;
  let server: Awaited<ReturnType<typeof startWsServer>>;
  let original: { stdout: string; stderr: string };
  let mockA: Awaited<ReturnType<typeof startMockProcess>>;

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'framescope-mock-'));
    env = { ...process.env, FRAMESCOPE_HOME: home };
    server = await startWsServer({ perMessageDeflate: { threshold: 0, serverNoContextTakeover: true, serverMaxWindowBits: 11, clientMaxWindowBits: 12 }, handleProtocols: (p) => (p.has('chat.v1') ? 'chat.v1' : false) });
    server.wss.on('connection', (ws) => {
      ws.send('welcome');
      ws.on('message', (data, isBinary) => {
        const text = data.toString();
        if (isBinary) ws.send(Buffer.from(data as Buffer).reverse(), { binary: true });
        else if (text === 'ping') ws.send('pong');
        else if (text === 'big') ws.send('B'.repeat(20_000));
        else if (text === 'subscribe') {
          setTimeout(() => ws.send('tick 1'), 30);
          setTimeout(() => ws.send('tick 2'), 60);
        } else {
          const request = JSON.parse(text) as { id: number };
          ws.send(JSON.stringify({ type: 'value', id: request.id, value: 42 }));
        }
      });
    });
    const proxy = await startProxyProcess(['--upstream', `ws://127.0.0.1:${server.port}`, '--session', 'recorded', '--har', join(home, 'recorded.har')], env);
    original = await runPythonClient(`ws://127.0.0.1:${proxy.port}/chat?room=1`, PLAN, 1);
    proxy.child.kill('SIGTERM');
    await exited(proxy.child);
    mockA = await startMockProcess(['recorded', '--session', 'mock-a'], env);
  }, 60_000);

  afterAll(async () => {
    if (mockA?.child.exitCode === null) {
      mockA.child.kill('SIGTERM');
      await exited(mockA.child);
    }
    await server?.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('records the conversation that the mock will play (the real server\'s answers)', () => {
    expect(original.stderr).toBe('');
    expect(original.stdout.trim().split('\n')).toEqual([
      JSON.stringify({ subprotocol: 'chat.v1', extensions: 'permessage-deflate; client_max_window_bits=12; server_no_context_takeover; server_max_window_bits=11' }),
      line('text', hex('welcome')),
      line('text', hex('pong')),
      line('text', hex('{"type":"value","id":1,"value":42}')),
      line('binary', 'fa020100'),
      line('text', hex('tick 1')),
      line('text', hex('tick 2')),
      line('text', hex('B'.repeat(20_000))),
    ]);
  });

  it('answers the same client with the same messages in the same order, with the recorded subprotocol and permessage-deflate', async () => {
    expect(mockA.output()).toMatch(/^serving: session recorded, connection 1 \(recorded at ws:\/\/127\.0\.0\.1:\d+\/chat\?room=1\): 5 client messages, 7 server messages$/m);
    expect(mockA.output()).toMatch(/^timing: recorded, match: order, protocol fields: JSON type and event$/m);
    const run = await runPythonClient(`ws://127.0.0.1:${mockA.port}/chat?room=1`, PLAN, 1);
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe(original.stdout);
  });

  it('survives garbage on its port: answers 400 and serves the next client', async () => {
    const socket = net.connect({ host: '127.0.0.1', port: mockA.port });
    await once(socket, 'connect');
    socket.write(Buffer.from([0x16, 0x03, 0x01, 0xff, 0xff, 0x00, 0x0d, 0x0a, 0x0d, 0x0a, 0x47, 0x00]));
    let answer = '';
    socket.on('data', (d: Buffer) => (answer += d.toString('latin1')));
    await once(socket, 'close');
    expect(answer).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    const plain = await fetch(`http://127.0.0.1:${mockA.port}/`);
    expect(plain.status).toBe(426);
    expect(await plain.text()).toMatch(/^Framescope: this is a mock of session recorded, connection 1 /);
    const run = await runPythonClient(`ws://127.0.0.1:${mockA.port}/chat?room=1`, PLAN, 1);
    expect(run.stdout).toBe(original.stdout);
    expect(mockA.child.exitCode).toBe(null);
  });

  it('records its own connections, which compare with the original as the same answers', async () => {
    mockA.child.kill('SIGTERM');
    expect(await exited(mockA.child)).toBe(0);
    expect(mockA.output()).toMatch(/^stopped on SIGTERM: 2 connections, 0 unexpected messages$/m);
    const catalog = new SessionCatalog(sessionsDir(env));
    const recorded = await catalog.open('recorded');
    const mocked = await catalog.open('mock-a');
    try {
      const originalMessages = recorded.messages(1, 0, recorded.messageCount(1));
      expect(mocked.connections().map((c) => [c.id, c.state, c.protocol, c.extensions, c.response?.statusCode])).toEqual([
        [1, 'closed', 'chat.v1', 'permessage-deflate; client_max_window_bits=12; server_no_context_takeover; server_max_window_bits=11', 101],
        [2, 'closed', 'chat.v1', 'permessage-deflate; client_max_window_bits=12; server_no_context_takeover; server_max_window_bits=11', 101],
      ]);
      const mockMessages = mocked.messages(1, 0, mocked.messageCount(1));
      const comparison = compareAnswers(1, 1, serverAnswers(originalMessages), serverAnswers(mockMessages));
      expect([comparison.same, comparison.different, comparison.missing, comparison.extra]).toEqual([7, 0, 0, 0]);
      // Compressed on the wire, as recorded.
      expect(mockMessages.filter((m) => m.direction === 'receive').every((m) => m.message.compressed)).toBe(true);
      expect(mocked.connection(1)!.close).toEqual({ code: 1000, reason: 'plan done', closedBy: 'client' });
    } finally {
      recorded.close();
      mocked.close();
    }
  });

  it('serves a HAR file; a message the recording does not answer is printed and recorded', async () => {
    const mockB = await startMockProcess([join(home, 'recorded.har'), '--match', 'content', '--timing', 'fast', '--session', 'mock-b'], env);
    try {
      expect(mockB.output()).toMatch(/^timing: fast, match: content$/m);
      const same = await runPythonClient(`ws://127.0.0.1:${mockB.port}/chat?room=1`, PLAN, 1);
      expect(same.stdout).toBe(original.stdout);
      const run = await runPythonClient(`ws://127.0.0.1:${mockB.port}/chat`, [['text', 'nonsense', 0], ['text', 'ping', 1]], 1);
      expect(run.stderr).toBe('');
      expect(run.stdout.trim().split('\n').slice(1)).toEqual([line('text', hex('welcome')), line('text', hex('pong'))]);
      expect(mockB.output()).toContain('unexpected: connection 2, client message 0: "nonsense"\n');
    } finally {
      mockB.child.kill('SIGTERM');
      await exited(mockB.child);
    }
    const catalog = new SessionCatalog(sessionsDir(env));
    const mocked = await catalog.open('mock-b');
    try {
      expect(mocked.errors().map((e) => [e.message, e.connectionId])).toEqual([
        [`mock of ${join(home, 'recorded.har')}, connection 1: unexpected client message 0 on connection 2: "nonsense"`, 2],
      ]);
      // In the order they happened: the answer after its question.
      expect(mocked.messages(2, 0, mocked.messageCount(2)).map((m) => [m.direction, m.message.data.toString()])).toEqual([
        ['receive', 'welcome'], ['send', 'nonsense'], ['send', 'ping'], ['receive', 'pong'],
      ]);
      expect(mocked.annotations(2).map((a) => [a.target, a.number, a.note, a.highlight])).toEqual([
        ['message', 1, `unexpected: the recording (${join(home, 'recorded.har')}, connection 1) has no answer for this message`, 'red'],
      ]);
      expect(mocked.messages(2, 1, 2)[0]!.message.data.toString()).toBe('nonsense');
    } finally {
      mocked.close();
    }
  });
});

describe('framescope mock refuses what it cannot serve', () => {
  const run = (args: string[], home: string) => spawnSync(process.execPath, [BIN, 'mock', ...args], { env: { ...process.env, FRAMESCOPE_HOME: home }, encoding: 'utf8' });

  it('names a source that is neither a session nor a file, and a bad option', () => {
    const home = mkdtempSync(join(tmpdir(), 'framescope-mock-'));
    try {
      const missing = run(['nosuch'], home);
      expect([missing.status, missing.stderr]).toEqual([1, 'framescope: there is no session named "nosuch" and no file nosuch (see `framescope sessions`)\n']);
      const har = run([join(home, 'gone.har')], home);
      expect([har.status, har.stderr]).toEqual([1, `framescope: ${join(home, 'gone.har')} does not exist: check the path (a HAR file saved from Framescope, a browser or a proxy)\n`]);
      const timing = run(['nosuch', '--timing', 'slow'], home);
      expect([timing.status, timing.stderr]).toEqual([1, 'framescope: --timing is recorded or fast, not "slow"\n']);
      const none = run([], home);
      expect(none.status).toBe(2);
      expect(none.stderr).toMatch(/^framescope mock: one SOURCE \(a session name or a HAR file\) is needed\n/);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
