// Another implementation as the client: Python's websockets (Debian's python3-websockets) through the
// proxy in reverse mode to a ws server, with permessage-deflate negotiated between the two.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { exportHar } from '../../src/capture/har-export.js';
import { startWsServer } from '../support/peers.js';
import { startProxy, connectionClosed } from '../support/proxy.js';
import type { HarEntryJson } from '../support/har-schema.js';

const PYTHON = '/usr/bin/python3';
const hasWebsockets = existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import websockets'], { encoding: 'utf8' }).status === 0;

const CLIENT = `
import asyncio, sys, websockets
async def main(url):
    async with websockets.connect(url, subprotocols=["py.v1"]) as ws:
        out = []
        for text in ["hello from python", "hello from python again " * 20]:
            await ws.send(text)
            out.append(await ws.recv())
        await ws.send(bytes([0, 1, 2, 250]))
        out.append((await ws.recv()).hex())
        await ws.close(code=4005, reason="python done")
        print("\\n".join(out[:1] + [str(len(out[1])), out[2]]))
asyncio.run(main(sys.argv[1]))
`;

describe.runIf(hasWebsockets)('Python websockets as the client', () => {
  let server: Awaited<ReturnType<typeof startWsServer>>;
  let proxy: Awaited<ReturnType<typeof startProxy>>;
  beforeAll(async () => {
    server = await startWsServer({ perMessageDeflate: { threshold: 0 }, handleProtocols: (p) => (p.has('py.v1') ? 'py.v1' : false) });
    server.wss.on('connection', (ws) => ws.on('message', (d, isBinary) => ws.send(isBinary ? d : `echo: ${d.toString()}`, { binary: isBinary })));
    proxy = await startProxy({ upstream: `ws://127.0.0.1:${server.port}` });
  });
  afterAll(async () => {
    await proxy.close();
    await server.close();
  });

  it('relays a compressed conversation and records it decompressed, with the close Python sent', async () => {
    // Asynchronously: the proxy and the server live in this process and must keep serving.
    const r = await new Promise<{ stdout: string; stderr: string }>((resolve) => {
      const child = spawn(PYTHON, ['-c', CLIENT, `ws://127.0.0.1:${proxy.port}/py?lang=python`]);
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', () => resolve({ stdout, stderr }));
    });
    expect(r.stderr).toBe('');
    const long = 'hello from python again '.repeat(20);
    expect(r.stdout).toBe(`echo: hello from python\n${`echo: ${long}`.length}\n000102fa\n`);
    await connectionClosed(proxy.session);
    const entry = exportHar(proxy.session.connections).log.entries[0] as unknown as HarEntryJson;
    expect(entry.request.headers.find((h) => h.name.toLowerCase() === 'user-agent')?.value).toMatch(/^Python\/3\.\d+ websockets\//);
    expect(entry.response.headers.find((h) => h.name.toLowerCase() === 'sec-websocket-extensions')?.value).toMatch(/^permessage-deflate/);
    expect(entry.response.headers.find((h) => h.name.toLowerCase() === 'sec-websocket-protocol')?.value).toBe('py.v1');
    expect(entry._webSocketMessages.map((m) => [m.type, m.opcode, m.data])).toEqual([
      ['send', 1, 'hello from python'], ['receive', 1, 'echo: hello from python'],
      ['send', 1, long], ['receive', 1, `echo: ${long}`],
      ['send', 2, Buffer.from([0, 1, 2, 250]).toString('base64')], ['receive', 2, Buffer.from([0, 1, 2, 250]).toString('base64')],
    ]);
    const data = entry._webSocketFrames.filter((f) => f.opcode === 1 || f.opcode === 2);
    expect(data.every((f) => f.rsv1 && f.violations === undefined)).toBe(true);
    expect(entry._webSocketClose).toEqual({ code: 4005, reason: 'python done', closedBy: 'client' });
  });
});
