// The listener guard on a real server and real sockets: whatever a handler throws or rejects with
// answers that request only, with the failure's status, and is recorded; floods are recorded at a rate.
import { afterEach, describe, expect, it } from 'vitest';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type http from 'node:http';
import { createGuardedServer, HttpFailure, type GuardedHandlers } from '../../src/proxy/listener-guard.js';
import { rawExchange, statusLine } from '../support/raw-http.js';

describe('the listener guard', () => {
  let server: http.Server | undefined;
  afterEach(() => {
    server?.close();
    server?.closeAllConnections();
  });

  async function start(handlers: GuardedHandlers, maxRecordsPerSecond?: number): Promise<{ port: number; records: string[] }> {
    const records: string[] = [];
    server = createGuardedServer(handlers, { record: (m) => records.push(m), maxRecordsPerSecond });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return { port: (server.address() as AddressInfo).port, records };
  }

  it('answers a thrown error with 500, a rejected promise with 500, an HttpFailure with its status and a URIError with 400', async () => {
    const { port, records } = await start({
      request: (req) => {
        if (req.url === '/throw') throw new Error('boom');
        if (req.url === '/reject') return Promise.reject(new Error('later boom'));
        if (req.url === '/failure') throw new HttpFailure(508, 'round and round');
        decodeURIComponent(req.url!);
        throw new Error('not reached');
      },
    });
    const cases: [string, string, string][] = [
      ['/throw', 'HTTP/1.1 500 Internal Server Error', 'Framescope: internal error while handling the request (boom)\n'],
      ['/reject', 'HTTP/1.1 500 Internal Server Error', 'Framescope: internal error while handling the request (later boom)\n'],
      ['/failure', 'HTTP/1.1 508 Loop Detected', 'Framescope: round and round\n'],
      ['/%E0%A4%A', 'HTTP/1.1 400 Bad Request', 'Framescope: the request target has a malformed percent-escape\n'],
    ];
    for (const [path, status, body] of cases) {
      const { answer, closed } = await rawExchange(port, `GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`);
      expect(statusLine(answer)).toBe(status);
      expect(answer.toString('latin1').endsWith(`\r\n\r\n${body}`)).toBe(true);
      expect(closed).toBe(true);
    }
    expect(records.map((r) => r.replace(/127\.0\.0\.1:\d+/, 'C'))).toEqual([
      'GET /throw from C answered 500: internal error while handling the request (boom)',
      'GET /reject from C answered 500: internal error while handling the request (later boom)',
      'GET /failure from C answered 508: round and round',
      'GET /%E0%A4%A from C answered 400: the request target has a malformed percent-escape',
    ]);
  });

  it('ends a response that was already under way instead of writing a second head', async () => {
    const { port } = await start({
      request: (_req, res) => {
        res.writeHead(200, { 'Content-Length': '100' });
        res.write('partial');
        throw new Error('mid-body');
      },
    });
    const { answer, closed } = await rawExchange(port, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(statusLine(answer)).toBe('HTTP/1.1 200 OK');
    expect(answer.toString('latin1').endsWith('\r\n\r\npartial')).toBe(true);
    expect(closed).toBe(true);
  });

  it('answers a throwing upgrade handler on the raw socket', async () => {
    const { port } = await start({ upgrade: () => { throw new HttpFailure(431, 'too much'); } });
    const { answer, closed } = await rawExchange(port, 'GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
    expect(statusLine(answer)).toBe('HTTP/1.1 431 Request Header Fields Too Large');
    expect(closed).toBe(true);
  });

  it('records a flood at its rate and counts the rest, so every attempt is accounted for', async () => {
    const { port, records } = await start({ request: () => { throw new HttpFailure(400, 'no'); } }, 5);
    const started = Date.now();
    await Promise.all(Array.from({ length: 40 }, () => rawExchange(port, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n')));
    const seconds = Math.ceil((Date.now() - started) / 1000);
    const counted = () => records.reduce((sum, r) => {
      const m = /^(\d+) more refused or failed requests in the same second were not recorded one by one$/.exec(r);
      return sum + (m ? Number(m[1]) : 1);
    }, 0);
    for (let i = 0; i < 100 && counted() < 40; i++) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(counted()).toBe(40);
    const oneByOne = records.filter((r) => r.startsWith('GET / from ')).length;
    expect(oneByOne).toBeLessThanOrEqual(5 * (seconds + 1));
    expect(oneByOne).toBeLessThan(40);
  });
});
