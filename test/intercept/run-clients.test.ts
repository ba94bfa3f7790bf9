// `framescope run -- CMD` with real clients that are not told about the proxy: each connects to a
// wss:// server on loopback whose certificate it could not verify on its own, succeeds, and is
// recorded with its frames. (Success alone proves interception: see support/intercept-targets.ts.)
import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { exportHar } from '../../src/capture/har-export.js';
import type { ConnectionRecord } from '../../src/capture/capture-model.js';
import { type HarEntryJson } from '../support/har-schema.js';
import { until } from '../support/proxy.js';
import { launcherEnv, runFramescope } from './support/run-intercepted.js';
import { useInterceptSuite } from './support/intercept-suite.js';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

describe('framescope run', () => {
  const suite = useInterceptSuite('framescope-run-');

  const run = (command: string[]) => runFramescope(['run', '--proxy', `127.0.0.1:${suite.proxy.port}`, '--', ...command], launcherEnv(suite.home));

  /** The one connection recorded since `before` connections, once it closed, as a HAR entry. */
  async function recorded(before: number, matches: (c: ConnectionRecord) => boolean = () => true): Promise<HarEntryJson> {
    const pick = () => suite.proxy.session.connections.slice(before).find(matches);
    await until(suite.proxy.session, () => pick()?.state === 'closed');
    return exportHar([pick()!]).log.entries[0] as unknown as HarEntryJson;
  }
  const messages = (entry: HarEntryJson) => entry._webSocketMessages.map((m) => [m.type, m.data]);

  it('the control: the same ws client run without framescope run cannot verify the server', async () => {
    const { execFile } = await import('node:child_process');
    const result = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, [fixture('ws-client.cjs'), `wss://127.0.0.1:${suite.targets.port}/feed`], { env: launcherEnv(suite.home) }, (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stdout, stderr }));
    });
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe('error: unable to verify the first certificate\n');
    expect(result.code).toBe(1);
  });

  it.each([
    ['ws-client.cjs', 'CommonJS', '127.0.0.1', 'hello from cjs'],
    ['ws-client.mjs', 'ES module', 'localhost', 'hello from esm'],
  ])('records a Node ws client (%s, %s) to wss://%s', async (file, _kind, host, sent) => {
    const before = suite.proxy.session.connections.length;
    const result = await run([process.execPath, fixture(file), `wss://${host}:${suite.targets.port}/feed`]);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe(`received: echo: ${sent}\n`);
    expect(result.code).toBe(0);
    const entry = await recorded(before);
    expect(entry.request.url).toBe(`wss://${host}:${suite.targets.port}/feed`);
    expect(messages(entry)).toEqual([['send', sent], ['receive', `echo: ${sent}`]]);
    expect(entry._webSocketClose).toEqual({ code: 1000, reason: 'done', closedBy: 'client' });
    // The launch tag in the proxy URL tells the engine which launch the connection came from.
    const id = suite.proxy.session.connections[before]!.id;
    expect(suite.proxy.proxy.launches.list().find((l) => l.connectionIds.includes(id))).toMatchObject({ kind: 'run', program: 'node', connectionIds: [id] });
  });

  it('records a Node ws client that brings its own https.Agent', async () => {
    const before = suite.proxy.session.connections.length;
    const result = await run([process.execPath, fixture('ws-own-agent.cjs'), `wss://127.0.0.1:${suite.targets.port}/agent`]);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('received: echo: hello with my own agent\n');
    expect(result.code).toBe(0);
    const entry = await recorded(before);
    expect(entry.request.url).toBe(`wss://127.0.0.1:${suite.targets.port}/agent`);
    expect(messages(entry)).toEqual([['send', 'hello with my own agent'], ['receive', 'echo: hello with my own agent']]);
  });

  it('records a Node ws client to a plain ws:// server on loopback', async () => {
    const before = suite.proxy.session.connections.length;
    const result = await run([process.execPath, fixture('ws-client.cjs'), `ws://localhost:${suite.targets.plainPort}/dev`]);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('received: echo: hello from cjs\n');
    expect(result.code).toBe(0);
    const entry = await recorded(before);
    expect(entry.request.url).toBe(`ws://localhost:${suite.targets.plainPort}/dev`);
    expect(messages(entry)).toEqual([['send', 'hello from cjs'], ['receive', 'echo: hello from cjs']]);
  });

  it('records a Node socket.io-client over https, after its polling start', async () => {
    const before = suite.proxy.session.connections.length;
    const result = await run([process.execPath, fixture('socketio-client.cjs'), `https://127.0.0.1:${suite.targets.socketIoPort}`]);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('answer: hi, hello from socket.io (transport websocket)\n');
    expect(result.code).toBe(0);
    const entry = await recorded(before);
    expect(entry.request.url).toMatch(new RegExp(`^wss://127\\.0\\.0\\.1:${suite.targets.socketIoPort}/socket\\.io/\\?EIO=4&transport=websocket&sid=[\\w-]+$`));
    const data = messages(entry);
    expect(data.slice(0, 3)).toEqual([['send', '2probe'], ['receive', '3probe'], ['send', '5']]);
    expect(data).toContainEqual(['send', '420["greet","hello from socket.io"]']);
    expect(data).toContainEqual(['receive', '430["hi, hello from socket.io"]']);
  });

  it('sends Node 20 global fetch through the proxy (plain HTTPS is forwarded, not recorded as a WebSocket)', async () => {
    const before = suite.proxy.session.connections.length;
    const result = await run([process.execPath, fixture('fetch-client.mjs'), `https://127.0.0.1:${suite.targets.port}/plain`]);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('200 plain over https\n');
    expect(result.code).toBe(0);
    expect(suite.proxy.session.connections.length).toBe(before);
  });

  it('records a Python websockets 10.4 client that tunnels through HTTPS_PROXY', async () => {
    const before = suite.proxy.session.connections.length;
    const result = await run(['/usr/bin/python3', fixture('websockets-client.py'), `wss://127.0.0.1:${suite.targets.port}/py`]);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('received: echo: hello from python\n');
    expect(result.code).toBe(0);
    const entry = await recorded(before);
    expect(entry.request.url).toBe(`wss://127.0.0.1:${suite.targets.port}/py`);
    expect(messages(entry)).toEqual([['send', 'hello from python'], ['receive', 'echo: hello from python']]);
  });

  it('records curl making a WebSocket handshake over https', async () => {
    const before = suite.proxy.session.connections.length;
    const result = await run(['curl', '-sS', '--http1.1', '-o', '-', '-H', 'Connection: Upgrade', '-H', 'Upgrade: websocket',
      '-H', 'Sec-WebSocket-Version: 13', '-H', 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==', `https://127.0.0.1:${suite.targets.port}/raw`]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const entry = await recorded(before);
    expect(entry.request.url).toBe(`wss://127.0.0.1:${suite.targets.port}/raw`);
    expect(entry.response.status).toBe(101);
    expect(messages(entry)).toEqual([['receive', 'hello curl']]);
    expect(entry._webSocketClose).toEqual({ code: 1000, reason: 'bye', closedBy: 'server' });
    const id = suite.proxy.session.connections[before]!.id;
    expect(suite.proxy.proxy.launches.list().find((l) => l.connectionIds.includes(id))).toMatchObject({ kind: 'run', program: 'curl', connectionIds: [id] });
  });
});
