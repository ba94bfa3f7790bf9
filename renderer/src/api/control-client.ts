// The UI's one line to the engine: a WebSocket to the control API with the per-run token, typed
// requests and responses, and event batches handed to a listener. It reconnects when the engine
// comes back (a restarted engine has a new token, so that only happens across a short network blip).
import { CONTROL_PATH, type ControlCommands, type ControlEvent, type ControlMethod, type ControlServerMessage } from './wire.js';

export type LinkState = 'connecting' | 'open' | 'closed';

type Pending = { resolve: (value: unknown) => void; reject: (error: Error) => void };

/** Retries after a lost link, ms: quick at first, then every few seconds. */
const RETRY_DELAYS = [250, 500, 1000, 2000, 4000];

export class ControlClient {
  private socket: WebSocket | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly waitingForOpen: (() => void)[] = [];
  private readonly eventListeners = new Set<(events: ControlEvent[], batch: number) => void>();
  private readonly stateListeners = new Set<(state: LinkState) => void>();
  private attempts = 0;
  private disposed = false;
  state: LinkState = 'connecting';

  constructor(private readonly url: string) {
    this.connect();
  }

  /** A client for the page it runs in: same host, token from the page's query string. */
  static forPage(location: Location): ControlClient {
    const token = new URLSearchParams(location.search).get('token') ?? '';
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    return new ControlClient(`${scheme}//${location.host}${CONTROL_PATH}?token=${encodeURIComponent(token)}`);
  }

  /** Runs a command; rejects with the engine's message when it fails. Waits for the link when it is down. */
  async request<M extends ControlMethod>(method: M, params: ControlCommands[M]['params']): Promise<ControlCommands[M]['result']> {
    if (this.state !== 'open') await new Promise<void>((resolve) => this.waitingForOpen.push(resolve));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.socket!.send(JSON.stringify({ id, method, params }));
    });
  }

  /** Every event batch, in order, with its number (for acknowledge). Returns the unsubscriber. */
  onEvents(listener: (events: ControlEvent[], batch: number) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  /**
   * Says a batch was applied: a paced subscription (subscribe with paced) is sent its next batch only
   * then, so a busy page is never sent more than it can show. Never waits; a lost link forgets it.
   */
  acknowledge(batch: number): void {
    if (this.state !== 'open') return;
    this.request('ackEvents', { batch }).catch(() => {});
  }

  onState(listener: (state: LinkState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  dispose(): void {
    this.disposed = true;
    this.socket?.close();
  }

  private connect(): void {
    const socket = new WebSocket(this.url);
    this.socket = socket;
    socket.onopen = () => {
      this.attempts = 0;
      this.setState('open');
      for (const resolve of this.waitingForOpen.splice(0)) resolve();
    };
    socket.onmessage = (event) => this.receive(String(event.data));
    socket.onclose = () => {
      for (const p of this.pending.values()) p.reject(new Error('the link to the engine was lost'));
      this.pending.clear();
      if (this.disposed) return;
      this.setState('closed');
      const delay = RETRY_DELAYS[Math.min(this.attempts++, RETRY_DELAYS.length - 1)]!;
      setTimeout(() => this.connect(), delay);
    };
  }

  private receive(text: string): void {
    let message: ControlServerMessage;
    try {
      message = JSON.parse(text) as ControlServerMessage;
    } catch {
      return;
    }
    if (message.type === 'events') {
      for (const listener of this.eventListeners) listener(message.events, message.batch);
      return;
    }
    const pending = this.pending.get(message.id);
    if (!pending) return;
    this.pending.delete(message.id);
    if ('error' in message) pending.reject(new Error(message.error.message));
    else pending.resolve(message.result);
  }

  private setState(state: LinkState): void {
    if (state === this.state) return;
    this.state = state;
    for (const listener of this.stateListeners) listener(state);
  }
}
