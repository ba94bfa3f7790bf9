// What a mock serves: one recorded connection, from a saved session (its capture store) or a HAR file,
// reduced to what the server did: the client messages it received and the messages it sent itself
// (nothing the proxy injected toward the client), its handshake answer, and its close.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { validSessionName, type SessionCatalog } from '../capture/session-catalog.js';
import type { CapturedMessage, ConnectionRecord } from '../capture/capture-model.js';
import type { CaptureStore } from '../capture/capture-store.js';
import { formatHarImportProblem, importHar } from '../capture/har-import.js';
import { readErrorInWords } from '../file-errors.js';
import { messagesToReplay, serverAnswers } from '../proxy/replay-comparison.js';
import type { RecordedAnswer } from './mock-handshake.js';
import type { ScriptClose, ScriptItem } from './script-matcher.js';

export interface MockSource {
  /** Where it came from, in words: `session NAME, connection N` or `FILE, connection N`. */
  label: string;
  /** The recorded connection's id in its session or file. */
  connectionId: number;
  /** The recorded URL. */
  url: string;
  /** The recorded 101. */
  answer: RecordedAnswer | undefined;
  /** The recorded request's target and headers (a lens recognises the protocol from them). */
  request: { target: string; rawHeaders: string[] };
  /** The subprotocol the server chose. */
  protocol?: string;
  /** When the connection opened (its 101), epoch ms. */
  start: number;
  /** What the server received and sent, in order. */
  items: ScriptItem[];
  /** The server's close, when the server closed first. */
  close?: ScriptClose;
  /** What the user should know (messages stored truncated, HAR problems). */
  warnings: string[];
}

/** SOURCE as the user gives it: a HAR file when it names a file (or ends in .har), else a saved session's name. */
export async function loadMockSource(catalog: SessionCatalog, source: string, connectionId: number | undefined): Promise<MockSource> {
  const isFile = existsSync(source) && statSync(source).isFile();
  if (isFile || /\.har$/i.test(source) || !validSessionName(source)) return sourceFromHarFile(source, connectionId);
  if (!catalog.exists(source)) throw new Error(`there is no session named "${source}" and no file ${source} (see \`framescope sessions\`)`);
  const store = await catalog.open(source);
  try {
    return sourceFromStore(store, connectionId, source);
  } finally {
    store.close();
  }
}

/** A connection of a capture store (a saved session, or the live one). */
export function sourceFromStore(store: CaptureStore, connectionId: number | undefined, name: string): MockSource {
  const summaries = store.connections();
  const id = connectionId ?? summaries.find((c) => c.response?.statusCode === 101)?.id;
  if (id === undefined) throw new Error(`session ${name} has no connection that opened (101)`);
  const record = store.connection(id);
  if (!record) throw new Error(`session ${name} has no connection ${id} (it has ${summaries.length})`);
  return sourceOf(record, store.messages(id, 0, store.messageCount(id)), `session ${name}, connection ${id}`);
}

/** A connection of a HAR file (ids count from 1 in the file's order). */
export function sourceFromHarFile(path: string, connectionId: number | undefined): MockSource {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw readErrorInWords(error, path);
  }
  const imported = importHar(text);
  const connection = connectionId === undefined
    ? imported.connections.find((c) => c.response?.statusCode === 101)
    : imported.connections.find((c) => c.id === connectionId);
  if (!connection) {
    throw new Error(connectionId === undefined ? `${path} has no WebSocket connection that opened (101)` : `${path} has no connection ${connectionId} (it has ${imported.connections.length})`);
  }
  const source = sourceOf(connection, connection.messages, `${path}, connection ${connection.id}`);
  source.warnings.unshift(...imported.problems.map((p) => `${path}: ${formatHarImportProblem(p)}`));
  return source;
}

/** The server's side of a recorded connection. */
export function sourceOf(record: ConnectionRecord, messages: readonly CapturedMessage[], label: string): MockSource {
  if (record.response?.statusCode !== 101) {
    throw new Error(`${label} did not open (${record.response ? `the server answered ${record.response.statusCode}` : record.error ?? 'no answer'}): there is nothing to mock`);
  }
  const served = new Set<CapturedMessage>([...messagesToReplay(messages, 'received'), ...serverAnswers(messages)]);
  const items: ScriptItem[] = [];
  let truncated = 0;
  for (const m of messages) {
    if (!served.has(m)) continue;
    if (m.message.truncated) truncated++;
    items.push({ direction: m.direction, opcode: m.message.opcode, data: m.message.data, time: m.time });
  }
  const warnings: string[] = [];
  if (truncated > 0) warnings.push(`${label}: ${truncated} message${truncated === 1 ? ' was' : 's were'} stored truncated; the mock matches and sends the stored part`);
  const close = record.close?.closedBy === 'server'
    ? { code: record.close.code, reason: record.close.reason, time: record.endedAt ?? items.at(-1)?.time ?? record.response.time }
    : undefined;
  return {
    label,
    connectionId: record.id,
    url: record.url,
    answer: { statusMessage: record.response.statusMessage, httpVersion: record.response.httpVersion, rawHeaders: record.response.rawHeaders },
    request: { target: record.request.target, rawHeaders: record.request.rawHeaders },
    ...(record.protocol !== undefined ? { protocol: record.protocol } : {}),
    start: record.response.time,
    items,
    ...(close ? { close } : {}),
    warnings,
  };
}
