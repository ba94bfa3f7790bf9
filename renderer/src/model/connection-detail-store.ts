// The selected connection's handshake and checks (getConnection), read again when its summary says
// something the handshake view shows has changed (a response arrived, it closed, it failed).
import type { ControlClient } from '../api/control-client.js';
import type { ConnectionDetail, ControlEvent } from '../api/wire.js';
import { Observable } from './observable.js';

export class ConnectionDetailStore extends Observable {
  id: number | undefined;
  detail: ConnectionDetail | undefined;
  error: string | undefined;
  initialized: Promise<void> = Promise.resolve();
  private generation = 0;
  private stamp = '';

  constructor(private readonly client: ControlClient) {
    super();
  }

  show(id: number | undefined): void {
    if (id === this.id) return;
    this.id = id;
    this.detail = undefined;
    this.error = undefined;
    this.stamp = '';
    this.changed();
    if (id !== undefined) this.initialized = this.load(id);
  }

  apply(events: readonly ControlEvent[]): void {
    for (const event of events) {
      if (event.kind !== 'connection' || event.connection.id !== this.id) continue;
      const c = event.connection;
      const stamp = `${c.state}|${c.status ?? ''}|${c.close?.code ?? ''}|${c.error ?? ''}|${c.protocol ?? ''}|${c.extensions ?? ''}`;
      if (stamp !== this.stamp && this.detail) this.initialized = this.load(c.id);
    }
  }

  /** Reads it again (after a reconnect or a session change). */
  reload(): void {
    if (this.id !== undefined) this.initialized = this.load(this.id);
  }

  private async load(id: number): Promise<void> {
    const generation = ++this.generation;
    try {
      const detail = await this.client.request('getConnection', { id });
      if (generation !== this.generation) return;
      this.detail = detail;
      this.error = undefined;
      this.stamp = `${detail.state}|${detail.status ?? ''}|${detail.close?.code ?? ''}|${detail.error ?? ''}|${detail.protocol ?? ''}|${detail.extensions ?? ''}`;
    } catch (error) {
      if (generation !== this.generation) return;
      this.error = (error as Error).message;
    }
    this.changed();
  }
}
