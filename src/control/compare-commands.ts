// compareConnections and compareMessages: two connections (of the browsed session or of saved
// ones) aligned message by message, and a pair of messages diffed. Saved sessions are opened for
// the command and closed after it.
import { createHash } from 'node:crypto';
import { Engine } from '../engine.js';
import type { CaptureStore, StoredMessage } from '../capture/capture-store.js';
import { countRows, diffSequences } from '../compare/sequence-diff.js';
import { diffTexts } from '../compare/json-diff.js';
import { messageSummary } from './previews.js';
import type { CompareSide, ComparisonRow, ControlCommands, MessageSummary } from './api-types.js';

/** Messages compared at most per side (the rest are counted as omitted). */
export const MAX_COMPARED_MESSAGES = 20_000;
/** Bytes of each message the pair diff reads. */
export const MAX_DIFFED_BYTES = 1024 * 1024;
/** Messages read back at a time. */
const BATCH = 1000;

type CompareHandlers = {
  [M in 'compareConnections' | 'compareMessages' | 'listSessionConnections']: (params: ControlCommands[M]['params']) => Promise<ControlCommands[M]['result']>;
};

export function compareCommands(engine: Engine): CompareHandlers {
  return {
    listSessionConnections: ({ session }) => withStores(engine, [{ connectionId: 0, ...(session !== undefined ? { session } : {}) }], ([side]) => ({
      session: side!.name,
      connections: side!.store.connections().map(Engine.toApiSummary),
    })),
    compareConnections: ({ left, right }) => withStores(engine, [left, right], ([a, b]) => {
      const sideA = readSide(a!, left);
      const sideB = readSide(b!, right);
      const { rows, exact } = diffSequences(sideA.items, sideB.items);
      const out: ComparisonRow[] = rows.map((row) => ({
        kind: row.kind,
        ...(row.left !== undefined ? { left: sideA.summaries[row.left]! } : {}),
        ...(row.right !== undefined ? { right: sideB.summaries[row.right]! } : {}),
      }));
      return {
        left: { session: a!.name, connection: sideA.connection },
        right: { session: b!.name, connection: sideB.connection },
        rows: out,
        counts: countRows(rows),
        exact,
        omitted: { left: sideA.omitted, right: sideB.omitted },
      };
    }),
    compareMessages: ({ left, right }) => withStores(engine, [left, right], ([a, b]) => {
      const l = readMessage(a!.store, left.connectionId, left.message);
      const r = readMessage(b!.store, right.connectionId, right.message);
      const leftText = asText(l);
      const rightText = asText(r);
      return {
        left: { ...messageSummary(left.message, l), text: leftText },
        right: { ...messageSummary(right.message, r), text: rightText },
        diff: diffTexts(leftText, rightText),
      };
    }),
  };
}

interface OpenSide { name: string; store: CaptureStore }

/** Runs fn with each side's store: the browsed or live one as it is, a saved one opened for the call. */
async function withStores<T>(engine: Engine, sides: CompareSide[], fn: (stores: OpenSide[]) => T): Promise<T> {
  const opened = new Map<string, CaptureStore>();
  try {
    const stores: OpenSide[] = [];
    for (const side of sides) {
      if (typeof side !== 'object' || side === null || !Number.isInteger(side.connectionId)) throw new Error('each side must be {connectionId, session?} with a whole-number connectionId');
      const name = side.session ?? engine.viewedName;
      if (typeof name !== 'string') throw new Error('session must be a session name');
      if (name === engine.viewedName) stores.push({ name, store: engine.store });
      else if (name === engine.liveName) stores.push({ name, store: engine.liveStore });
      else {
        let store = opened.get(name);
        if (!store) {
          store = await engine.catalog.open(name);
          opened.set(name, store);
        }
        stores.push({ name, store });
      }
    }
    return fn(stores);
  } finally {
    for (const store of opened.values()) store.close();
  }
}

function readSide(side: OpenSide, spec: CompareSide) {
  const summary = side.store.connections().find((c) => c.id === spec.connectionId);
  if (!summary) throw new Error(`session "${side.name}" has no connection ${spec.connectionId}`);
  const total = side.store.messageCount(spec.connectionId);
  const count = Math.min(total, MAX_COMPARED_MESSAGES);
  const items: { direction: 'send' | 'receive'; key: string }[] = [];
  const summaries: MessageSummary[] = [];
  for (let start = 0; start < count; start += BATCH) {
    const batch = side.store.messages(spec.connectionId, start, Math.min(count, start + BATCH));
    batch.forEach((m, i) => {
      items.push({ direction: m.direction, key: contentKey(m) });
      summaries.push(messageSummary(start + i, m));
    });
  }
  return { connection: Engine.toApiSummary(summary), items, summaries, omitted: total - count };
}

/** Equal exactly when opcode and stored content are equal. */
function contentKey(m: StoredMessage): string {
  return `${m.message.opcode}:${m.message.data.length}:${createHash('sha1').update(m.message.data).digest('base64')}`;
}

function readMessage(store: CaptureStore, connectionId: number, number: number): StoredMessage {
  if (!Number.isInteger(number) || number < 0) throw new Error(`message must be a message number, not ${JSON.stringify(number)}`);
  const [m] = store.messages(connectionId, number, number + 1);
  if (!m) throw new Error(`connection ${connectionId} has no message ${number}`);
  return m;
}

/** Text as it is; binary (or text that is not UTF-8) as a hex dump, 16 bytes a line. */
function asText(m: StoredMessage): string {
  const data = m.message.data.subarray(0, MAX_DIFFED_BYTES);
  if (m.message.opcode === 1) {
    try {
      // A cut at the byte limit may split a character: only a whole message must be valid UTF-8.
      return new TextDecoder('utf-8', { fatal: data.length === m.message.data.length }).decode(data);
    } catch {
      // Falls through to the hex dump: the inspector shows what is there.
    }
  }
  const lines: string[] = [];
  for (let i = 0; i < data.length; i += 16) {
    const chunk = data.subarray(i, i + 16);
    lines.push(`${i.toString(16).padStart(8, '0')}  ${[...chunk].map((b) => b.toString(16).padStart(2, '0')).join(' ')}`);
  }
  return lines.join('\n');
}
