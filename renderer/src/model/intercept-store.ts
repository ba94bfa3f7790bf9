// Breakpoints and the queue of messages and handshakes they hold, waiting for forward, edit or drop.
import type { ControlClient } from '../api/control-client.js';
import type { BreakpointRule, ControlCommands, ControlEvent, HeldItem } from '../api/wire.js';
import { EngineReadStore } from './observable.js';

/** The held queue is read again at most this often when 'held' events come in bursts, ms. */
const REFRESH_MS = 100;

export class InterceptStore extends EngineReadStore {
  enabled = false;
  rules: BreakpointRule[] = [];
  held: HeldItem[] = [];
  lastError: string | undefined;
  initialized: Promise<void>;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly client: ControlClient) {
    super();
    this.initialized = this.load();
  }

  load(): Promise<void> {
    this.initialized = this.readFrom(Promise.all([this.client.request('listBreakpoints', {}), this.client.request('listHeld', {})]), ([breakpoints, held]) => {
      this.enabled = breakpoints.enabled;
      this.rules = breakpoints.rules;
      this.held = held;
    });
    return this.initialized;
  }

  apply(events: readonly ControlEvent[]): void {
    for (const event of events) {
      if (event.kind !== 'held') continue;
      this.held = event.items;
      this.changed();
      // The event carries the queue; reading it back keeps us right whatever a batch left out.
      this.timer ??= setTimeout(() => {
        this.timer = undefined;
        void this.client.request('listHeld', {}).then((held) => {
          this.held = held;
          this.changed();
        }, () => {});
      }, REFRESH_MS);
    }
  }

  async setEnabled(on: boolean): Promise<void> {
    await this.run(async () => {
      this.enabled = (await this.client.request('setBreakpointsEnabled', { on })).enabled;
    });
  }

  /** Creates (id 0) or replaces a rule. */
  async saveRule(rule: BreakpointRule): Promise<void> {
    await this.run(async () => {
      const saved = await this.client.request('setBreakpoint', { rule });
      const at = this.rules.findIndex((r) => r.id === saved.id);
      if (at >= 0) this.rules = this.rules.map((r) => (r.id === saved.id ? saved : r));
      else this.rules = [...this.rules, saved];
    });
  }

  async deleteRule(id: number): Promise<void> {
    await this.run(async () => {
      await this.client.request('deleteBreakpoint', { id });
      this.rules = this.rules.filter((r) => r.id !== id);
    });
  }

  async resolve(id: number, action: 'forward' | 'drop', edited?: { opcode: 1 | 2; dataBase64: string } | { target: string; rawHeaders: string[] }): Promise<void> {
    await this.run(async () => {
      const params: ControlCommands['resolveHeld']['params'] = {
        id, action,
        ...(edited && 'dataBase64' in edited ? { editedMessage: edited } : {}),
        ...(edited && 'rawHeaders' in edited ? { editedRequest: edited } : {}),
      };
      await this.client.request('resolveHeld', params);
      this.held = this.held.filter((h) => h.id !== id);
    });
  }

  async resolveAll(action: 'forward' | 'drop'): Promise<void> {
    await this.run(async () => {
      await this.client.request('resolveAllHeld', { action });
      this.held = [];
    });
  }

  private async run(action: () => Promise<void>): Promise<void> {
    try {
      await action();
      this.lastError = undefined;
    } catch (error) {
      this.lastError = (error as Error).message;
    }
    this.changed();
  }
}
