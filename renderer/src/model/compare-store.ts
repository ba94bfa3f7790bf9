// The Compare workspace: two connections (each from any session), their aligned message sequences
// and, for a selected row, the pair's diff. "Compare with replay" is the same thing: a replayed
// connection is just another connection, offered first when it has the same URL.
import type { ControlClient } from '../api/control-client.js';
import type { CompareSide, ConnectionComparison, ConnectionSummary, MessageComparison, SessionInfo } from '../api/wire.js';
import { Observable } from './observable.js';

export interface SidePick {
  /** The session's name. */
  session: string;
  connectionId: number | undefined;
  /** The session's connections, to pick from. */
  connections: ConnectionSummary[];
}

export class CompareStore extends Observable {
  sessions: SessionInfo[] = [];
  left: SidePick | undefined;
  right: SidePick | undefined;
  result: ConnectionComparison | undefined;
  /** The row whose pair is shown. */
  selectedRow: number | undefined;
  pair: MessageComparison | undefined;
  loading = false;
  error: string | undefined;
  readonly initialized = Promise.resolve();
  private run = 0;

  constructor(private readonly client: ControlClient) {
    super();
  }

  /** Reads the sessions and fills each side that has none yet with the browsed session. */
  async open(browsed: string): Promise<void> {
    this.sessions = await this.client.request('listSessions', {});
    // A side chosen meanwhile ("Compare with…") is kept.
    if (!this.left) {
      const pick = await this.pickSession(browsed);
      if (!this.left) this.left = pick;
    }
    if (!this.right) {
      const pick = await this.pickSession(browsed);
      if (!this.right) this.right = pick;
    }
    this.changed();
  }

  /**
   * Starts a comparison from a connection: it goes left; right is the newest other connection to
   * the same URL (a replay of it, typically), when there is one.
   */
  async startWith(browsed: string, connectionId: number): Promise<void> {
    const side = await this.pickSession(browsed);
    this.left = { ...side, connectionId };
    const url = side.connections.find((c) => c.id === connectionId)?.url;
    const twin = [...side.connections].reverse().find((c) => c.id !== connectionId && c.url === url);
    this.right = { ...side, connectionId: twin?.id };
    this.sessions = await this.client.request('listSessions', {});
    this.changed();
    await this.compare();
  }

  async setSession(which: 'left' | 'right', session: string): Promise<void> {
    this[which] = await this.pickSession(session);
    this.result = undefined;
    this.changed();
  }

  async setConnection(which: 'left' | 'right', connectionId: number | undefined): Promise<void> {
    const side = this[which];
    if (!side) return;
    this[which] = { ...side, connectionId };
    this.changed();
    await this.compare();
  }

  async swap(): Promise<void> {
    [this.left, this.right] = [this.right, this.left];
    this.changed();
    await this.compare();
  }

  /** Aligns the two chosen connections (does nothing until both are chosen). */
  async compare(): Promise<void> {
    const left = sideOf(this.left);
    const right = sideOf(this.right);
    this.result = undefined;
    this.selectedRow = undefined;
    this.pair = undefined;
    this.error = undefined;
    if (!left || !right) {
      this.changed();
      return;
    }
    const run = ++this.run;
    this.loading = true;
    this.changed();
    try {
      const result = await this.client.request('compareConnections', { left, right });
      if (run !== this.run) return;
      this.result = result;
    } catch (error) {
      if (run === this.run) this.error = (error as Error).message;
    } finally {
      if (run === this.run) {
        this.loading = false;
        this.changed();
      }
    }
  }

  /** Shows a row's pair diff (rows with one side show that message alone, compared with nothing). */
  async selectRow(index: number): Promise<void> {
    const row = this.result?.rows[index];
    const left = sideOf(this.left);
    const right = sideOf(this.right);
    if (!row || !left || !right) return;
    this.selectedRow = index;
    this.pair = undefined;
    this.changed();
    if (!row.left || !row.right) return;
    const run = this.run;
    try {
      const pair = await this.client.request('compareMessages', { left: { ...left, message: row.left.number }, right: { ...right, message: row.right.number } });
      if (run !== this.run || this.selectedRow !== index) return;
      this.pair = pair;
    } catch (error) {
      this.error = (error as Error).message;
    }
    this.changed();
  }

  private async pickSession(session: string): Promise<SidePick> {
    const listing = await this.client.request('listSessionConnections', { session });
    return { session: listing.session, connections: listing.connections, connectionId: undefined };
  }
}

function sideOf(pick: SidePick | undefined): CompareSide | undefined {
  return pick && pick.connectionId !== undefined ? { session: pick.session, connectionId: pick.connectionId } : undefined;
}
