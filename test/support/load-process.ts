// Live traffic from a process of its own (bench/support/ws-load.mjs): an echo server, and clients
// that send through the proxy until halted. The test's own event loop stays free for the engine.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('../../bench/support/ws-load.mjs', import.meta.url));

export interface LoadTotals { path: string; sent: number; received: number }

export interface LoadProcess {
  start(options: { proxyPort: number; connections: number; inFlight?: number; size?: number; everyMs?: number }): Promise<{ connections: number }>;
  counts(): Promise<LoadTotals[]>;
  /** Stops sending; resolves with the final totals once every echo came back. */
  halt(): Promise<LoadTotals[]>;
  stop(): Promise<void>;
}

export function startLoadProcess(): Promise<LoadProcess> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = fork(SCRIPT, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
    let nextId = 1;
    const command = <T>(name: string, arg?: unknown) => new Promise<T>((res, rej) => {
      const id = nextId++;
      pending.set(id, { resolve: res as (v: unknown) => void, reject: rej });
      child.send({ type: 'command', id, name, arg });
    });
    child.on('message', (message: { type: string; id?: number; value?: unknown; error?: string }) => {
      if (message.type === 'ready') {
        resolve({
          start: (options) => command('start', options),
          counts: () => command('counts'),
          halt: () => command('halt'),
          stop: async () => {
            if (child.exitCode !== null) return;
            const exited = new Promise((r) => child.once('exit', r));
            await command('stop').catch(() => {});
            await exited;
          },
        });
      } else if (message.type === 'reply') {
        const call = pending.get(message.id!);
        pending.delete(message.id!);
        if (message.error !== undefined) call?.reject(new Error(message.error));
        else call?.resolve(message.value);
      }
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      for (const call of pending.values()) call.reject(new Error(`the load process exited (${code})`));
      reject(new Error(`the load process exited (${code})`));
    });
  });
}
