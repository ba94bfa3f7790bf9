// HAR 1.2 export of a session, with Chrome DevTools' WebSocket fields and Framescope's frame detail.
// The field contract is in DESIGN.md ("HAR"); keep it exact. These are the builders of the log, an entry,
// a message and a frame: har-text.ts streams the same objects, so a field added here reaches both.
import type { CapturedFrame, CapturedMessage, ConnectionRecord } from './capture-model.js';
import { frameToJson } from '../protocol/frame-json.js';
import { headerValues } from '../protocol/http-head.js';
import { protocolWriter, type HarProtocolPacket } from './har-protocol.js';

export interface HarNameValue { name: string; value: string }

export interface HarWebSocketMessage {
  type: 'send' | 'receive';
  /** Epoch seconds with fractions, as Chrome writes it. */
  time: number;
  opcode: number;
  /** UTF-8 text for opcode 1, base64 otherwise. */
  data: string;
}

export interface HarLog {
  log: {
    version: '1.2';
    creator: { name: string; version: string };
    pages: unknown[];
    entries: HarEntry[];
  };
}

export type HarEntry = Record<string, unknown> & { _resourceType: 'websocket' };

const CREATOR = { name: 'Framescope', version: '0.1.0' };

/** A whole HAR in memory; har-text.ts writes the same text a piece at a time. */
export function exportHar(connections: readonly ConnectionRecord[]): HarLog {
  return { log: { ...harLogHead(), entries: connections.map(connectionToEntry) } };
}

/** The log's fields before its entries. */
export function harLogHead(): Omit<HarLog['log'], 'entries'> {
  return { version: '1.2', creator: CREATOR, pages: [] };
}

/** The entry's fields that hold one item per message or frame (streamed item by item). */
export const STREAMED_ENTRY_FIELDS = ['_webSocketMessages', '_webSocketFrames'] as const;

export function connectionToEntry(c: ConnectionRecord): HarEntry {
  // An upgrade request edited at a breakpoint: the entry shows what went upstream (what the response
  // answers), and _framescope keeps the client's original.
  const sent = c.editedRequest ?? c.request;
  const url = new URL(c.url);
  const responseTime = c.response?.time;
  const wait = responseTime !== undefined ? Math.max(0, responseTime - c.request.time) : -1;
  const entry: HarEntry = {
    startedDateTime: new Date(c.startedAt).toISOString(),
    time: Math.max(0, (c.endedAt ?? responseTime ?? c.startedAt) - c.startedAt),
    request: {
      method: sent.method,
      url: c.url,
      httpVersion: `HTTP/${sent.httpVersion}`,
      cookies: [],
      headers: pairs(sent.rawHeaders),
      queryString: [...url.searchParams].map(([name, value]) => ({ name, value })),
      headersSize: -1,
      bodySize: 0,
    },
    response: c.response
      ? {
          status: c.response.statusCode,
          statusText: c.response.statusMessage,
          httpVersion: `HTTP/${c.response.httpVersion}`,
          cookies: [],
          headers: pairs(c.response.rawHeaders),
          content: responseContent(c.response.rawHeaders, c.response.body),
          redirectURL: headerValue(c.response.rawHeaders, 'location') ?? '',
          headersSize: -1,
          bodySize: c.response.body?.length ?? 0,
        }
      : {
          status: 0,
          statusText: '',
          httpVersion: '',
          cookies: [],
          headers: [],
          content: { size: 0, mimeType: '' },
          redirectURL: '',
          headersSize: -1,
          bodySize: -1,
        },
    cache: {},
    timings: { blocked: -1, dns: -1, connect: -1, ssl: -1, send: 0, wait, receive: 0 },
    _resourceType: 'websocket',
    _webSocketMessages: c.messages.length === 0 ? [] : c.messages.map(((write) => (m: CapturedMessage) => write(m, messageToHar(m)))(protocolWriter(c, c.messages))),
    _webSocketFrames: c.frames.map(frameToHar),
  };
  if (c.serverAddress) entry.serverIPAddress = c.serverAddress.replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1');
  if (c.close) entry._webSocketClose = { code: c.close.code, reason: c.close.reason, closedBy: c.close.closedBy };
  if (c.error) entry._error = c.error;
  if (c.note) entry._notes = c.note;
  entry._framescope = {
    id: c.id,
    state: c.state,
    clientAddress: c.clientAddress,
    ...(c.serverAddress ? { serverAddress: c.serverAddress } : {}),
    requestTarget: sent.target,
    ...(c.editedRequest ? { edited: true, originalRequest: { target: c.request.target, headers: pairs(c.request.rawHeaders) } } : {}),
    checks: c.checks,
    ...(c.protocol !== undefined ? { protocol: c.protocol } : {}),
    ...(c.extensions !== undefined ? { extensions: c.extensions } : {}),
    ...(c.tls ? { tls: c.tls } : {}),
    ...(c.endedAt !== undefined ? { endedDateTime: new Date(c.endedAt).toISOString() } : {}),
  };
  return entry;
}

/**
 * Chrome's message fields, plus Framescope's flags where they apply. A message whose data was not kept
 * whole (the stored-payload cap, or the `headers` recording policy) says so twice: `truncated: true`,
 * and `_truncated`, the message's whole size in bytes (the data holds only its first bytes).
 */
export type HarMessage = HarWebSocketMessage & { _arrived?: number; truncated?: true; _truncated?: number; injected?: true; edited?: true; dropped?: true; _notes?: string; _rule?: string; _protocol?: HarProtocolPacket | HarProtocolPacket[] };

export function messageToHar(m: CapturedMessage): HarMessage {
  const { opcode, data, truncated } = m.message;
  const har: HarMessage = {
    type: m.direction,
    time: m.time / 1000,
    opcode,
    data: opcode === 1 ? data.toString('utf8') : data.toString('base64'),
  };
  // Held or queued: time is when it went on the wire, _arrived when it reached the proxy.
  if (m.arrivedAt !== undefined) har._arrived = m.arrivedAt / 1000;
  if (truncated) {
    har.truncated = true;
    har._truncated = m.message.size;
  }
  if (m.injected) har.injected = true;
  if (m.edited) har.edited = true;
  if (m.dropped) har.dropped = true;
  if (m.note) har._notes = m.note;
  if (m.rule) har._rule = m.rule;
  return har;
}

export function frameToHar(f: CapturedFrame): Record<string, unknown> {
  const har: Record<string, unknown> = { type: f.direction, time: f.time / 1000, ...frameToJson(f.frame) };
  if (f.arrivedAt !== undefined) har._arrived = f.arrivedAt / 1000;
  if (f.injected) har.injected = true;
  if (f.edited) har.edited = true;
  if (f.dropped) har.dropped = true;
  if (f.note) har._notes = f.note;
  if (f.rule) har._rule = f.rule;
  return har;
}

function pairs(raw: string[]): HarNameValue[] {
  const out: HarNameValue[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) out.push({ name: raw[i]!, value: raw[i + 1]! });
  return out;
}

function headerValue(raw: string[], name: string): string | undefined {
  return headerValues(raw, name)[0];
}

function responseContent(raw: string[], body: Buffer | undefined): Record<string, unknown> {
  const mimeType = headerValue(raw, 'content-type') ?? '';
  if (!body || body.length === 0) return { size: 0, mimeType };
  const text = body.toString('utf8');
  // Keep text bodies readable; anything that does not survive UTF-8 goes as base64.
  return Buffer.from(text, 'utf8').equals(body)
    ? { size: body.length, mimeType, text }
    : { size: body.length, mimeType, text: body.toString('base64'), encoding: 'base64' };
}
