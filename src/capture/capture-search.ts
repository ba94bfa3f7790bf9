// Searching a capture store: data messages and lone frames (control frames, frames of no message)
// of one connection or all, matched by the index's bits first and then by their data, read through
// one recycled window in file order. Hits stream out in batches while the scan yields to the event
// loop every few milliseconds.
import type { SearchHitInfo } from '../control/api-types.js';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { NO_FRAME, type ViolationCatalogue } from './capture-file.js';
import { UnitCursor, UnitQueue, directionOfBits, opcodeOfBits, type CaptureIndex } from './capture-index.js';
import { frameMatcher, type FrameFilter } from './frame-filter.js';
import { messageDataView, payloadView, type RecordReader } from './record-reader.js';
import { leadingLiteral } from '../regex-literal.js';

/** What to look for. Text and regex match a data message's (decompressed) data, or a lone frame's payload. */
export interface SearchQuery extends FrameFilter {
  /** A literal, matched on the bytes (UTF-8); with flags 'i' case-insensitively. */
  text?: string;
  /** A JavaScript regular expression, matched on the data decoded as UTF-8. With text, both must match. */
  regex?: string;
  /** Regular-expression flags (i, m, s, u); 'g' and 'y' are ignored. */
  flags?: string;
}

/** One match: a data message, or a frame that belongs to no message (control frames). The API's wire type. */
export type SearchHit = SearchHitInfo;

export interface SearchOptions {
  /** Hits per onHits call at most. Default 100. Hits found so far are also sent every ~16 ms of scanning. */
  batch?: number;
  /** Aborts the search: the promise rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Longest stretch of scanning between turns of the event loop, ms. Default 16. */
  sliceMs?: number;
}

/** What a search reads: the store's index and catalogue, and its file through readers. */
export interface SearchSource {
  readonly index: CaptureIndex;
  readonly catalogue: ViolationCatalogue;
  /** A reader of the file (throws once the store is closed). */
  reader(readAhead: number, backoff: number, recycle: boolean): RecordReader;
  /** True once the store is closed (its file descriptor may then name another file). */
  isClosed(): boolean;
}

const SEARCH_WINDOW = 4 * 1024 * 1024;
const SEARCH_SLICE_MS = 16;

/**
 * Searches one connection (or all, for null) for data messages and lone frames that pass the query,
 * and streams the hits in batches as they are found. Resolves with how many units were scanned and
 * how many hit.
 */
export async function searchCapture(
  source: SearchSource,
  connectionId: number | null,
  query: SearchQuery,
  onHits: (hits: SearchHit[]) => void,
  options: SearchOptions = {},
): Promise<{ scanned: number; hits: number }> {
  const batch = Math.max(1, options.batch ?? 100);
  const signal = options.signal;
  const sliceMs = options.sliceMs ?? SEARCH_SLICE_MS;
  const matchContent = contentMatcher(query);
  const matchUnit = frameMatcher(query);
  const { index, catalogue } = source;
  const entries = connectionId === null ? index.all() : [index.find(connectionId)].filter((e) => e !== undefined);
  // Units of every connection in file order, so the file is read once from start to end.
  const cursors = new UnitQueue(entries.map((entry) => new UnitCursor(entry)).filter((cursor) => cursor.next()));
  // Views into its windows are used before the next record is read: the windows can be recycled.
  const reader = source.reader(SEARCH_WINDOW, SEARCH_WINDOW >> 4, true);
  let scanned = 0;
  let hitCount = 0;
  let pending: SearchHit[] = [];
  let sliceStart = performance.now();
  const emit = () => {
    // Nothing more is delivered once the search is aborted.
    if (pending.length === 0 || signal?.aborted) return;
    const hits = pending;
    pending = [];
    onHits(hits);
  };
  throwIfAborted(signal);

  let delivered = false;
  for (let cursor = cursors.pop(); cursor !== undefined; cursor = cursors.pop()) {
    // The first hits go out at once: the UI shows them while the scan goes on.
    if (!delivered && pending.length > 0 && (scanned & 127) === 127) {
      emit();
      delivered = true;
    }
    if ((scanned & 127) === 127 && performance.now() - sliceStart >= sliceMs) {
      // Show what was found so far, and let the event loop (and an abort) in.
      emit();
      await nextTurn();
      throwIfAborted(signal);
      // Its file descriptor may already name another file.
      if (source.isClosed()) throw new Error('the capture store was closed during the search');
      sliceStart = performance.now();
    }
    scanned++;
    const { entry, unit, n } = cursor;
    const bits = unit === 'frame' ? entry.frameBits.get(n) : entry.messageBits.get(n);
    const violations = unit === 'frame' ? entry.frameViolations.get(n) : entry.messageViolations.get(n);
    if (matchUnit(bits, violations)) {
      let snippet: string | null = '';
      if (matchContent) {
        const data = unit === 'frame' ? payloadView(reader, entry.frameOffset.get(n)) : messageDataView(reader, catalogue, entry, n);
        snippet = data === null ? null : matchContent(data);
      }
      if (snippet !== null) {
        const anchor = unit === 'frame' ? n : entry.messageAnchor.get(n);
        const hit: SearchHit = {
          connectionId: entry.id,
          frame: anchor === NO_FRAME ? -1 : anchor,
          direction: directionOfBits(bits),
          time: unit === 'frame' ? entry.frameTime.get(n) : entry.messageTime.get(n),
          opcode: opcodeOfBits(bits),
          snippet,
        };
        if (unit === 'message') hit.message = n;
        pending.push(hit);
        hitCount++;
        if (pending.length >= batch) emit();
      }
    }
    if (cursor.next()) cursors.push(cursor);
  }
  emit();
  return { scanned, hits: hitCount };
}

const decoder = new TextDecoder();
/** Characters (bytes for a text match) of context on each side of a match in a hit's snippet. */
const SNIPPET_CONTEXT = 40;

/**
 * The content test of a query: a snippet around the first match, or null. Null when the query has
 * neither text nor regex; with both, both must match (the snippet is the regex's).
 */
function contentMatcher(query: SearchQuery): ((data: Buffer) => string | null) | null {
  const flags = (query.flags ?? '').replace(/[gy]/g, '');
  const tests: ((data: Buffer) => string | null)[] = [];
  if (query.regex !== undefined) tests.push(regexMatcher(new RegExp(query.regex, flags)));
  if (query.text !== undefined && query.text !== '') {
    if (flags.includes('i')) {
      tests.push(regexMatcher(new RegExp(query.text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), flags)));
    } else {
      // Case-sensitive text: matched on the bytes, no decoding.
      const needle = Buffer.from(query.text, 'utf8');
      tests.push((data) => {
        const at = data.indexOf(needle);
        return at < 0 ? null : decoder.decode(data.subarray(Math.max(0, at - SNIPPET_CONTEXT), at + needle.length + SNIPPET_CONTEXT));
      });
    }
  }
  if (tests.length === 0) return null;
  if (tests.length === 1) return tests[0];
  return (data) => {
    const snippet = tests[0](data);
    return snippet !== null && tests[1](data) !== null ? snippet : null;
  };
}

function regexMatcher(regex: RegExp): (data: Buffer) => string | null {
  // Data without the regex's leading literal cannot match: skip decoding it (bytes scan far faster).
  const literal = leadingLiteral(regex);
  return (data) => {
    if (literal && data.indexOf(literal) < 0) return null;
    const text = decoder.decode(data);
    const match = regex.exec(text);
    return match ? text.slice(Math.max(0, match.index - SNIPPET_CONTEXT), match.index + match[0].length + SNIPPET_CONTEXT) : null;
  };
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw signal.reason ?? new DOMException('The search was aborted', 'AbortError');
}
