// The connections list's view model: one row per connection, with what the columns show derived once.
import type { ConnectionCounts, ConnectionState, ConnectionSummary } from '../api/wire.js';
import { describeCloseCode } from '../protocol/close-codes.js';

export interface ConnectionRow {
  /** Session-unique id. */
  id: number;
  /** ws:// or wss:// URL. */
  url: string;
  /** Host and port, for the compact column. */
  host: string;
  /** Path and query. */
  path: string;
  /** Where it is in its life. */
  state: ConnectionState;
  /** open, closed or failed (connecting counts as open, closing as open) for the status filter. */
  status: 'open' | 'closed' | 'failed';
  /** The upstream's handshake status. */
  httpStatus: number | undefined;
  /** Epoch ms. */
  startedAt: number;
  /** Epoch ms, once ended. */
  endedAt: number | undefined;
  framesSent: number;
  framesReceived: number;
  bytesSent: number;
  bytesReceived: number;
  messagesSent: number;
  messagesReceived: number;
  frameCount: number;
  /** Data messages, both directions. */
  messageCount: number;
  /**
   * It has data messages but no wire frames (imported from a tool whose HAR keeps messages only):
   * its frames tab lists messages.
   */
  messagesOnly: boolean;
  /** The close code, when it ended. */
  closeCode: number | undefined;
  /** The close code's name. */
  closeName: string;
  closeReason: string;
  closedBy: 'client' | 'server' | undefined;
  violations: number;
  /** What failed, for failed connections. */
  error: string | undefined;
  /** The negotiated subprotocol. */
  protocol: string | undefined;
  /** The negotiated extensions. */
  extensions: string | undefined;
}

export function toConnectionRow(c: ConnectionSummary): ConnectionRow {
  let host = c.url;
  let path = '';
  try {
    const u = new URL(c.url);
    host = u.host;
    path = `${u.pathname}${u.search}`;
  } catch {
    // Not a URL we can split: show it whole.
  }
  return {
    id: c.id, url: c.url, host, path, state: c.state,
    status: c.state === 'failed' ? 'failed' : c.state === 'closed' ? 'closed' : 'open',
    httpStatus: c.status, startedAt: c.startedAt, endedAt: c.endedAt,
    framesSent: c.framesSent, framesReceived: c.framesReceived, bytesSent: c.bytesSent, bytesReceived: c.bytesReceived,
    messagesSent: c.messagesSent, messagesReceived: c.messagesReceived, frameCount: c.frameCount,
    messageCount: c.messageCount, messagesOnly: c.frameCount === 0 && c.messageCount > 0,
    closeCode: c.close?.code, closeName: c.close ? describeCloseCode(c.close.code).name : '', closeReason: c.close?.reason ?? '',
    closedBy: c.close?.closedBy, violations: c.violationCount, error: c.error, protocol: c.protocol, extensions: c.extensions,
  };
}

/** The row with new counts (nothing else of a connection changes with them). */
export function withCounts(row: ConnectionRow, c: ConnectionCounts): ConnectionRow {
  return {
    ...row,
    framesSent: c.framesSent, framesReceived: c.framesReceived, bytesSent: c.bytesSent, bytesReceived: c.bytesReceived,
    messagesSent: c.messagesSent, messagesReceived: c.messagesReceived, frameCount: c.frameCount,
    messageCount: c.messageCount, messagesOnly: c.frameCount === 0 && c.messageCount > 0, violations: c.violationCount,
  };
}

/** The connection's duration so far or in all, ms. */
export function durationOf(row: ConnectionRow, now: number): number {
  return (row.endedAt ?? now) - row.startedAt;
}

export type ConnectionSortKey = 'id' | 'url' | 'status' | 'start' | 'duration' | 'framesSent' | 'framesReceived' | 'bytesSent' | 'bytesReceived' | 'close' | 'violations';

export function compareRows(key: ConnectionSortKey, a: ConnectionRow, b: ConnectionRow, now: number): number {
  switch (key) {
    case 'id': return a.id - b.id;
    case 'url': return a.url.localeCompare(b.url);
    case 'status': return a.state.localeCompare(b.state);
    case 'start': return a.startedAt - b.startedAt;
    case 'duration': return durationOf(a, now) - durationOf(b, now);
    case 'framesSent': return a.framesSent - b.framesSent;
    case 'framesReceived': return a.framesReceived - b.framesReceived;
    case 'bytesSent': return a.bytesSent - b.bytesSent;
    case 'bytesReceived': return a.bytesReceived - b.bytesReceived;
    case 'close': return (a.closeCode ?? -1) - (b.closeCode ?? -1);
    case 'violations': return a.violations - b.violations;
  }
}
