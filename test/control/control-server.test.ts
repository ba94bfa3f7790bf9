// The control API's transport: only our own UI gets in. Each refusal is proven with a real socket.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { ControlServer } from '../../src/control/control-server.js';
import type { ControlServerMessage } from '../../src/control/api-types.js';

function tryConnect(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string } | 'open'> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers });
    ws.once('open', () => { ws.close(); resolve('open'); });
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    ws.once('error', () => {});
  });
}

function get(port: number, path: string, host: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path, headers: { Host: host } }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    }).on('error', reject);
  });
}

describe('the control server', () => {
  let server: ControlServer;
  let port: number;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'framescope-ui-'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>ui</title>');
    server = new ControlServer({
      staticDir: dir,
      batchInterval: 50,
      handler: async (method, params, client) => {
        if (method === 'hello') return { echo: params };
        if (method === 'listSessions') {
          for (let i = 0; i < 1000; i++) client.send({ kind: 'error', message: `event ${i}`, time: i });
          return [];
        }
        throw new Error(`no such command: ${method}`);
      },
    });
    port = (await server.listen()).port;
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const url = (token: string | null) => `ws://127.0.0.1:${port}/control${token === null ? '' : `?token=${encodeURIComponent(token)}`}`;

  it('listens on loopback and prints a UI URL carrying the token', () => {
    expect(server.url).toBe(`http://127.0.0.1:${port}/?token=${server.token}`);
    expect(server.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('accepts our own UI: right token, loopback Host, our Origin', async () => {
    expect(await tryConnect(url(server.token), { Origin: `http://127.0.0.1:${port}` })).toBe('open');
    expect(await tryConnect(url(server.token), { Origin: `http://localhost:${port}` })).toBe('open');
  });

  it('accepts a non-browser client with the token and no Origin', async () => {
    expect(await tryConnect(url(server.token))).toBe('open');
  });

  it('refuses a connection without the token with 401', async () => {
    expect(await tryConnect(url(null))).toEqual({ status: 401, body: 'missing or wrong token\n' });
  });

  it('refuses a wrong token with 401', async () => {
    expect(await tryConnect(url(`${server.token.slice(0, -1)}x`))).toEqual({ status: 401, body: 'missing or wrong token\n' });
  });

  it('refuses a page from another origin with 403, even with the token', async () => {
    expect(await tryConnect(url(server.token), { Origin: 'https://evil.example' })).toEqual({ status: 403, body: 'Origin "https://evil.example" may not use the control API\n' });
    expect(await tryConnect(url(server.token), { Origin: `http://127.0.0.1:${port + 1}` })).toMatchObject({ status: 403 });
  });

  it('refuses a DNS-rebinding host name with 421, for the API and for the UI files', async () => {
    expect(await tryConnect(url(server.token), { Host: `rebind.evil.example:${port}` })).toEqual({ status: 421, body: `Host "rebind.evil.example:${port}" is not this control server\n` });
    const page = await get(port, '/', `rebind.evil.example:${port}`);
    expect(page.status).toBe(421);
  });

  it('serves the UI with a strict content security policy and no path traversal', async () => {
    const page = await get(port, '/', `127.0.0.1:${port}`);
    expect(page.status).toBe(200);
    expect(page.body).toBe('<!doctype html><title>ui</title>');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['content-security-policy']).toContain("object-src 'none'");
    expect((await get(port, '/../../../../etc/passwd', `127.0.0.1:${port}`)).status).toBe(404);
    expect((await get(port, '/%2e%2e/%2e%2e/etc/passwd', `127.0.0.1:${port}`)).status).toBe(404);
  });

  it('answers commands by id and batches a burst of events into few messages', async () => {
    const ws = new WebSocket(url(server.token));
    await new Promise((resolve) => ws.once('open', resolve));
    const messages: ControlServerMessage[] = [];
    ws.on('message', (d) => messages.push(JSON.parse(d.toString())));
    ws.send(JSON.stringify({ id: 7, method: 'hello', params: { a: 1 } }));
    ws.send(JSON.stringify({ id: 8, method: 'nope', params: {} }));
    ws.send(JSON.stringify({ id: 9, method: 'listSessions', params: {} }));
    await new Promise<void>((resolve) => {
      const check = () => {
        const events = messages.filter((m) => m.type === 'events').flatMap((m) => (m.type === 'events' ? m.events : []));
        if (events.length === 1000) resolve();
        else setTimeout(check, 10);
      };
      check();
    });
    expect(messages.find((m) => m.type === 'response' && m.id === 7)).toEqual({ type: 'response', id: 7, result: { echo: { a: 1 } } });
    expect(messages.find((m) => m.type === 'response' && m.id === 8)).toEqual({ type: 'response', id: 8, error: { message: 'no such command: nope' } });
    const batches = messages.filter((m) => m.type === 'events');
    expect(batches.length).toBe(1);
    ws.close();
  });
});
