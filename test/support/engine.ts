// The engine with its control server, in-process, and a control API client that speaks the real
// protocol over a real WebSocket.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { Engine, type EngineOptions } from '../../src/engine.js';
import { ControlServer } from '../../src/control/control-server.js';
import { linkEngine } from '../../src/control/engine-link.js';
import { commandHandler } from '../../src/control/command-handler.js';
import type { ControlCommands, ControlEvent, ControlMethod, ControlServerMessage } from '../../src/control/api-types.js';
import type { ProxyOptions } from '../../src/proxy/proxy-server.js';

export interface TestEngine {
  engine: Engine;
  control: ControlServer;
  api: ControlClient;
  proxyPort: number;
  dir: string;
  close(): Promise<void>;
}

export async function startTestEngine(proxy: ProxyOptions = {}, sessionName?: string, more: Pick<EngineOptions, 'rulesFile'> = {}): Promise<TestEngine> {
  const dir = mkdtempSync(join(tmpdir(), 'framescope-engine-'));
  const engine = await Engine.start({ sessionsDir: join(dir, 'sessions'), sessionName, proxy: { port: 0, ...proxy }, announceInterval: 20, ...more });
  const control = new ControlServer({ handler: commandHandler(engine), batchInterval: 10, onClientCount: (count) => engine.setWatched(count > 0) });
  linkEngine(engine, control);
  await control.listen();
  const api = await ControlClient.connect(`ws://127.0.0.1:${control.port}/control?token=${control.token}`);
  return {
    engine, control, api, proxyPort: engine.proxyAddress.port, dir,
    close: async () => {
      api.close();
      await control.close();
      await engine.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export class ControlClient {
  readonly events: ControlEvent[] = [];
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private listeners: (() => void)[] = [];

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const message = JSON.parse(data.toString()) as ControlServerMessage;
      if (message.type === 'events') {
        this.events.push(...message.events);
        for (const l of this.listeners) l();
        return;
      }
      const p = this.pending.get(message.id);
      if (!p) return;
      this.pending.delete(message.id);
      if ('error' in message) p.reject(new Error(message.error.message));
      else p.resolve(message.result);
    });
  }

  static connect(url: string): Promise<ControlClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      ws.once('open', () => resolve(new ControlClient(ws)));
      ws.once('error', reject);
    });
  }

  call<M extends ControlMethod>(method: M, params: ControlCommands[M]['params']): Promise<ControlCommands[M]['result']> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.ws.send(JSON.stringify({ id, method, params }));
    });
  }

  /** Resolves with the first event (already received or coming) that passes the predicate. */
  waitForEvent<T extends ControlEvent>(predicate: (e: ControlEvent) => e is T): Promise<T>;
  waitForEvent(predicate: (e: ControlEvent) => boolean): Promise<ControlEvent>;
  waitForEvent(predicate: (e: ControlEvent) => boolean): Promise<ControlEvent> {
    return new Promise((resolve) => {
      const check = () => {
        const found = this.events.find(predicate);
        if (!found) return false;
        this.listeners = this.listeners.filter((l) => l !== listener);
        resolve(found);
        return true;
      };
      const listener = () => { check(); };
      if (!check()) this.listeners.push(listener);
    });
  }

  close(): void {
    this.ws.close();
  }
}
