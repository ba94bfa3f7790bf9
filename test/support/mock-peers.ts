// Peers for the mock's tests: `framescope mock` as a real process, and a Python websockets client that
// follows a plan (send this, expect that many answers) and prints what it negotiated and received.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { BIN } from './cli.js';

export const PYTHON = '/usr/bin/python3';
export const hasPythonWebsockets = existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import websockets'], { encoding: 'utf8' }).status === 0;

/** Starts `framescope mock ...` and resolves once it prints where it listens. */
export function startMockProcess(args: string[], env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; port: number; output: () => string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'mock', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /^mock listening on 127\.0\.0\.1:(\d+)$/m.exec(out);
      if (m && /^session: .+$/m.test(out)) resolve({ child, port: Number(m[1]), output: () => out + err });
    });
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.once('exit', (code) => reject(new Error(`framescope mock exited with ${code} before listening: ${out}${err}`)));
  });
}

/** One step of a client's plan: send a text or binary (hex) message, then read this many messages. */
export type PlanStep = ['text' | 'binary', string, number];

const CLIENT = `
import asyncio, json, sys, websockets
async def main(url, plan, opening):
    async with websockets.connect(url, subprotocols=["chat.v1"]) as ws:
        print(json.dumps({"subprotocol": ws.subprotocol, "extensions": ws.response_headers.get("Sec-WebSocket-Extensions")}, separators=(",", ":")), flush=True)
        async def read(n):
            for _ in range(n):
                m = await ws.recv()
                if isinstance(m, str):
                    print(json.dumps({"t": "text", "hex": m.encode().hex()}, separators=(",", ":")), flush=True)
                else:
                    print(json.dumps({"t": "binary", "hex": m.hex()}, separators=(",", ":")), flush=True)
        await read(opening)
        for kind, value, expect in plan:
            await ws.send(value if kind == "text" else bytes.fromhex(value))
            await read(expect)
        await ws.close(code=1000, reason="plan done")
asyncio.run(main(sys.argv[1], json.loads(sys.argv[2]), int(sys.argv[3])))
`;

/** Runs the Python client to the end; resolves with its output (it never throws: the test reads stderr). */
export function runPythonClient(url: string, plan: PlanStep[], opening: number): Promise<{ stdout: string; stderr: string; code: number | null }> {
  return new Promise((resolve) => {
    const child = spawn(PYTHON, ['-c', CLIENT, url, JSON.stringify(plan), String(opening)]);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ stdout, stderr, code }));
  });
}
