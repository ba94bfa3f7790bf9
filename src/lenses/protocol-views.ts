// The engine's protocol views: for each connection of the browsed store, the lens that reads it (the
// user's choice, kept in the session as part of the connection's mark, or auto-detection) and its
// decoded messages, built lazily when a UI, an export or a filter asks, never while traffic is relayed.
import type { CaptureStore } from '../capture/capture-store.js';
import type { LensName } from '../protocol/lenses/lens.js';
import { lensConnectionOf } from '../protocol/lenses/lens-connection.js';
import { DETECTION_MESSAGES, defaultLensRegistry, type LensChoice, type LensRegistry } from '../protocol/lenses/registry.js';
import { ConnectionProtocol, ResultBudget, type MessageSource } from './connection-protocol.js';

/**
 * Connections whose lens state (decoder, links) is kept per store; the least recently read go first
 * and would be decoded again from their start. Their decoded results share one byte budget.
 */
const KEPT_CONNECTIONS = 512;
const RESULT_BUDGET_BYTES = 128 * 1024 * 1024;

export interface ProtocolChoice {
  /** What the user chose; 'auto' when nothing. */
  choice: LensChoice;
  /** The lens reading the connection, if any. */
  lens?: LensName;
  /** Auto-detection's scores, best first (what the UI offers). */
  scores: { name: LensName; score: number }[];
}

interface Entry {
  view: ConnectionProtocol | undefined;
  choice: ProtocolChoice;
  /** A detection that more messages could change is not kept. */
  settled: boolean;
}

export function storeSource(store: CaptureStore, connectionId: number): MessageSource {
  return {
    messageCount: () => store.messageCount(connectionId),
    messages: (start, end) => store.messages(connectionId, start, end),
  };
}

/** The user's lens choice for a connection, from its mark in the store. */
export function storedLensChoice(store: Pick<CaptureStore, 'annotations'>, connectionId: number): LensChoice {
  return store.annotations(connectionId).find((a) => a.target === 'connection')?.lens ?? 'auto';
}

export class ProtocolViews {
  private readonly stores = new WeakMap<CaptureStore, Map<number, Entry>>();

  constructor(private readonly registry: LensRegistry = defaultLensRegistry(), readonly budget = new ResultBudget(RESULT_BUDGET_BYTES)) {}

  /** The connection's lens and its decoder state, built on first use; undefined when no lens reads it. */
  view(store: CaptureStore, connectionId: number): ConnectionProtocol | undefined {
    return this.entry(store, connectionId)?.view;
  }

  choice(store: CaptureStore, connectionId: number): ProtocolChoice {
    return this.entry(store, connectionId)?.choice ?? { choice: 'auto', scores: [] };
  }

  /** Forgets a connection's view (its lens choice changed). */
  forget(store: CaptureStore, connectionId: number): void {
    this.stores.get(store)?.get(connectionId)?.view?.release();
    this.stores.get(store)?.delete(connectionId);
  }

  private entry(store: CaptureStore, connectionId: number): Entry | undefined {
    let entries = this.stores.get(store);
    if (!entries) this.stores.set(store, (entries = new Map()));
    const kept = entries.get(connectionId);
    if (kept?.settled) {
      // Most recently used last.
      entries.delete(connectionId);
      entries.set(connectionId, kept);
      return kept;
    }
    const record = store.connection(connectionId);
    if (!record) return undefined;
    const connection = lensConnectionOf(record.request.target, record.request.rawHeaders, record.protocol);
    const choice = storedLensChoice(store, connectionId);
    const count = store.messageCount(connectionId);
    const first = store.messages(connectionId, 0, Math.min(count, DETECTION_MESSAGES))
      .map((m) => ({ direction: m.direction, opcode: m.message.opcode, data: m.message.data }));
    const scores = this.registry.scores(connection, first);
    const lens = this.registry.choose(choice, connection, first);
    const ended = record.state === 'closed' || record.state === 'failed';
    const settled = choice !== 'auto' || (scores[0]?.score ?? 0) >= 1 || count >= DETECTION_MESSAGES || ended;
    const entry: Entry = {
      view: lens && new ConnectionProtocol(lens, connection, this.budget),
      choice: { choice, ...(lens ? { lens: lens.name } : {}), scores: scores.map((s) => ({ name: s.lens.name, score: s.score })) },
      settled,
    };
    if (settled) {
      entries.set(connectionId, entry);
      while (entries.size > KEPT_CONNECTIONS) {
        const oldest = entries.keys().next().value!;
        entries.get(oldest)?.view?.release();
        entries.delete(oldest);
      }
    }
    return entry;
  }
}
