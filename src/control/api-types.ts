// The control API's message types: the one contract between the engine and every UI. The renderer
// imports this module as types only (`import type`), so it must hold no runtime code beyond constants.

export const CONTROL_API_VERSION = 1;
/** The control WebSocket's path on the UI server; the token goes in the query string. */
export const CONTROL_PATH = '/control';

export type Direction = 'send' | 'receive';
export type ConnectionState = 'connecting' | 'open' | 'closing' | 'closed' | 'failed';

export interface CloseInfo {
  /** Close code, 1005 without one, 1006 when no close frame was seen. */
  code: number;
  /** Close reason, '' when none. */
  reason: string;
  /** Which side closed first. */
  closedBy: 'client' | 'server';
}

/** A connection as the connections list shows it. */
export interface ConnectionSummary {
  /** Session-unique id. */
  id: number;
  /** ws:// or wss:// URL. */
  url: string;
  /** Where it is in its life. */
  state: ConnectionState;
  /** Epoch ms when the upgrade request arrived. */
  startedAt: number;
  /** Epoch ms when both sides were gone. */
  endedAt?: number;
  /** The upstream's handshake status (101 on success). */
  status?: number;
  /** Negotiated subprotocol. */
  protocol?: string;
  /** Negotiated extensions header value. */
  extensions?: string;
  /** Frames client to server. */
  framesSent: number;
  /** Frames server to client. */
  framesReceived: number;
  /** Wire payload bytes client to server. */
  bytesSent: number;
  /** Wire payload bytes server to client. */
  bytesReceived: number;
  /** Frames that carry at least one violation. */
  violations: number;
  /** How it ended. */
  close?: CloseInfo;
  /** What failed, for failed connections. */
  error?: string;
}

export interface HandshakeCheckInfo { id: string; ok: boolean; message: string; rfc: string }

/** Everything about one connection except its frames. */
export interface ConnectionDetail extends ConnectionSummary {
  clientAddress: string;
  serverAddress?: string;
  request: { method: string; target: string; httpVersion: string; rawHeaders: string[]; time: number };
  response?: { statusCode: number; statusMessage: string; httpVersion: string; rawHeaders: string[]; time: number; bodyBase64?: string };
  checks: HandshakeCheckInfo[];
  tls?: { verified: boolean; error?: string; insecure: boolean };
}

/** A frame as the timeline shows it (no payload beyond a preview). */
export interface FrameSummary {
  /** The frame's number within its connection, from 0, both directions together, wire order. */
  n: number;
  direction: Direction;
  /** Epoch ms. */
  time: number;
  fin: boolean;
  rsv1: boolean;
  rsv2: boolean;
  rsv3: boolean;
  opcode: number;
  masked: boolean;
  /** The length field's value. */
  payloadLength: number;
  /** 7, 16 or 64. */
  lengthForm: number;
  /** Violation codes. */
  violations: string[];
  injected?: boolean;
  edited?: boolean;
  dropped?: boolean;
  closeCode?: number;
  closeReason?: string;
  /** Up to 64 bytes of the payload: text when it is UTF-8, hex otherwise. */
  preview: string;
  previewEncoding: 'text' | 'hex';
}

/** One frame in full. */
export interface FrameDetail extends FrameSummary {
  /** 8 hex digits. */
  maskKey?: string;
  headerLength: number;
  /** The header bytes as on the wire, hex. */
  headerHex: string;
  /** The stored payload, unmasked, base64. */
  payloadBase64: string;
  /** True when the stored payload is shorter than payloadLength (cap or cut-off). */
  truncated: boolean;
  /** The data message this frame belongs to, when it completed one. */
  message?: MessageInfo;
}

export interface MessageInfo {
  opcode: number;
  /** The reassembled, decompressed content, base64. */
  dataBase64: string;
  /** Application-side size in bytes. */
  size: number;
  compressed: boolean;
  truncated: boolean;
  /** Frame numbers (within the connection) that carried it. */
  frames: number[];
  violations: string[];
}

export interface FrameFilter {
  direction?: Direction;
  /** Only these opcodes. */
  opcodes?: number[];
  /** Only frames with a violation (any, or this code). */
  violation?: true | string;
  /** Substring of the (decompressed) payload text. */
  text?: string;
  /** A JavaScript regular expression over the payload text. */
  regex?: string;
  /** Flags for regex, e.g. "i". */
  regexFlags?: string;
}

export interface SessionInfo {
  name: string;
  connections: number;
  frames: number;
  /** Bytes on disk. */
  size: number;
  /** Epoch ms of the last change. */
  modifiedAt: number;
  /** The session being recorded now. */
  live: boolean;
}

export interface ProxyStatus {
  /** host:port the proxy listens on. */
  address: string;
  mode: 'explicit' | 'reverse';
  upstream?: string;
  /** The CA certificate's path, for "how to connect". */
  caPath?: string;
}

/** Commands: method name -> params and result. */
export interface ControlCommands {
  hello: { params: Record<string, never>; result: { version: number; proxy: ProxyStatus; session: SessionInfo; recording: boolean } };
  listConnections: { params: Record<string, never>; result: ConnectionSummary[] };
  getConnection: { params: { id: number }; result: ConnectionDetail };
  queryFrames: { params: { connectionId: number; start: number; end: number; filter?: FrameFilter }; result: { total: number; frames: FrameSummary[] } };
  getFrame: { params: { connectionId: number; n: number }; result: FrameDetail };
  search: { params: { connectionId: number | null; filter: FrameFilter }; result: { searchId: number } };
  cancelSearch: { params: { searchId: number }; result: Record<string, never> };
  exportHar: { params: { connectionIds?: number[] }; result: { fileName: string; har: string } };
  importHar: { params: { text: string; name?: string }; result: { session: SessionInfo; problems: string[] } };
  listSessions: { params: Record<string, never>; result: SessionInfo[] };
  newSession: { params: { name?: string }; result: SessionInfo };
  openSession: { params: { name: string }; result: SessionInfo };
  saveSession: { params: { name: string }; result: SessionInfo };
  deleteSession: { params: { name: string }; result: Record<string, never> };
  setRecording: { params: { on: boolean }; result: { recording: boolean } };
}

export type ControlMethod = keyof ControlCommands;

export interface ControlRequest<M extends ControlMethod = ControlMethod> {
  id: number;
  method: M;
  params: ControlCommands[M]['params'];
}

export type ControlResponse =
  | { type: 'response'; id: number; result: unknown }
  | { type: 'response'; id: number; error: { message: string } };

export type ControlEvent =
  | { kind: 'connection'; connection: ConnectionSummary }
  | { kind: 'frames'; connectionId: number; frames: FrameSummary[] }
  | { kind: 'search-hits'; searchId: number; hits: { connectionId: number; n: number }[] }
  | { kind: 'search-done'; searchId: number; scanned: number; hits: number }
  | { kind: 'session'; session: SessionInfo }
  | { kind: 'error'; message: string; time: number; connectionId?: number }
  | { kind: 'budget'; level: 'warning' | 'reached'; usage: number; budget: number };

/** Events are batched: at most one batch per flush interval per client. */
export interface ControlEventBatch { type: 'events'; events: ControlEvent[] }

export type ControlServerMessage = ControlResponse | ControlEventBatch;
