// The control API's message types: the one contract between the engine and every UI. The renderer
// imports this module as types only (`import type`), so it must hold no runtime code beyond constants.

import type { SettingsState, Settings } from '../settings/settings-types.js';
export type { Settings, SettingsState, SavedFilter, SettingKey, SettingOverride } from '../settings/settings-types.js';
import type { DiffKind } from '../compare/sequence-diff.js';
import type { TextDiff } from '../compare/json-diff.js';
export type { Rule, RuleAction, RuleScope, RuleMatch, MessageAction, ConnectionAction, RuleDirection } from '../rules/rule-types.js';
export type { DiffKind } from '../compare/sequence-diff.js';
export type { TextDiff, JsonDiffEntry, LineDiffRow } from '../compare/json-diff.js';

export type * from './live-api-types.js';
export type * from './automation-api-types.js';
export type * from './protocol-api-types.js';
export type * from './intercept-api-types.js';
import type { FrameWindow, LiveCommands } from './live-api-types.js';
import type { AutomationCommands } from './automation-api-types.js';
import type { ProtocolCommands } from './protocol-api-types.js';
import type { InterceptCommands } from './intercept-api-types.js';

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

/** What a connection carried, counted. */
export interface ConnectionCounts {
  /** Wire frames, both directions. */
  frameCount: number;
  /** Data messages, both directions. */
  messageCount: number;
  /** Frames client to server. */
  framesSent: number;
  /** Frames server to client. */
  framesReceived: number;
  /** Messages client to server. */
  messagesSent: number;
  /** Messages server to client. */
  messagesReceived: number;
  /** Wire bytes client to server (each frame's header plus its length field's payload length). */
  bytesSent: number;
  /** Wire bytes server to client. */
  bytesReceived: number;
  /** Violations found in its frames and messages. */
  violationCount: number;
}

/** The order of a connection's counts in a 'counts' event, after its id. */
export const COUNT_FIELDS = ['frameCount', 'messageCount', 'framesSent', 'framesReceived', 'messagesSent', 'messagesReceived', 'bytesSent', 'bytesReceived', 'violationCount'] as const satisfies readonly (keyof ConnectionCounts)[];

/** A connection as the connections list shows it. */
export interface ConnectionSummary extends ConnectionCounts {
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
  /** The client's address:port. */
  clientAddress: string;
  /** The server's address:port. */
  serverAddress?: string;
  /** How it ended. */
  close?: CloseInfo;
  /** What failed, for failed connections. */
  error?: string;
}

export interface HandshakeCheckInfo { id: string; ok: boolean; message: string; rfc: string }

/** Everything about one connection except its frames. */
export interface ConnectionDetail extends ConnectionSummary {
  /** The upgrade request as the client sent it. */
  request: { method: string; target: string; httpVersion: string; rawHeaders: string[]; time: number };
  /** What went upstream instead, when the request was edited at a handshake breakpoint. */
  editedRequest?: { method: string; target: string; httpVersion: string; rawHeaders: string[]; time: number };
  response?: { statusCode: number; statusMessage: string; httpVersion: string; rawHeaders: string[]; time: number; bodyBase64?: string };
  checks: HandshakeCheckInfo[];
  tls?: { verified: boolean; error?: string; insecure: boolean };
  /** The Sec-WebSocket-Accept value the client expects, when the request had a key. */
  expectedAccept?: string;
}

/** One row of the frame timeline: header fields and a short preview, no whole payload. */
export interface FrameSummary {
  /** The connection. */
  connectionId: number;
  /** The frame's number in its connection, from 0, both directions in wire order. */
  number: number;
  direction: Direction;
  /** Epoch ms when it went on the wire: the list's order, never going backwards. */
  time: number;
  /** Epoch ms when it arrived at the proxy; present only when earlier than time (held or queued behind a hold). */
  arrivedAt?: number;
  fin: boolean;
  rsv1: boolean;
  rsv2: boolean;
  rsv3: boolean;
  opcode: number;
  masked: boolean;
  /** 8 hex digits, when masked. */
  maskKey?: string;
  /** The length field's value: a number up to 2^53 − 1, a decimal string beyond (exact to 2^64 − 1). */
  payloadLength: number | string;
  /** Which length form carried it: 7, 16 or 64. */
  lengthForm: 7 | 16 | 64;
  /** Bytes in the header. */
  headerLength: number;
  /** Index in its direction's stream. */
  index: number;
  /** Offset in its direction's stream. */
  offset: number;
  /** The stored payload is shorter than the length field. */
  truncated: boolean;
  closeCode?: number;
  closeReason?: string;
  /** Violation codes, in the order found. */
  violations: string[];
  injected: boolean;
  edited: boolean;
  dropped: boolean;
  /** The disk budget was reached: the payload was not stored. */
  payloadNotStored: boolean;
  /** Payload bytes stored. */
  storedLength: number;
  /** The first 64 payload bytes: text when UTF-8, else hex digits. */
  preview: string;
  previewKind: 'text' | 'hex';
  /**
   * The preview is of the decompressed message this frame completes (a compressed message's wire
   * payload means nothing to a reader).
   */
  previewDecompressed?: boolean;
  /** With previewDecompressed: the decompressed message's size in bytes (payloadLength is the wire's). */
  inflatedLength?: number;
  /** The rules that changed, dropped, delayed or created it (", " between names). */
  rule?: string;
}

/** One data message, as a list shows it (for sessions imported without frames, and message views). */
export interface MessageSummary {
  /** The message's number in its connection, from 0. */
  number: number;
  direction: Direction;
  /** Epoch ms when its final frame went on the wire. */
  time: number;
  /** Epoch ms when its final frame arrived at the proxy; present only when earlier than time (held or queued). */
  arrivedAt?: number;
  /** 1 text, 2 binary. */
  opcode: number;
  /** Application-side size in bytes. */
  size: number;
  compressed: boolean;
  truncated: boolean;
  violations: string[];
  injected: boolean;
  edited: boolean;
  dropped: boolean;
  /** The rules that changed, dropped, delayed or created it (", " between names). */
  rule?: string;
  /** The first 64 bytes of the data: text when UTF-8, else hex digits. */
  preview: string;
  previewKind: 'text' | 'hex';
}

/** One frame in full. */
export interface FrameDetail extends FrameSummary {
  /** The header bytes as on the wire, hex. */
  headerHex: string;
  /** The stored payload, unmasked, base64. */
  payloadBase64: string;
  /** The data message this frame completed, when it completed one. */
  message?: MessageInfo;
}

export interface MessageInfo {
  /** The message's number in its connection. */
  number: number;
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

/** How a frame list is sorted: by a column, ties in wire order. Without one, the list is in wire order. */
export interface FrameListSort {
  /** time (when seen), direction (sent first), opcode, length (the payload length field, exact), violations (how many). */
  key: 'time' | 'direction' | 'opcode' | 'length' | 'violations';
  /** Largest first; ties stay in wire order either way. */
  descending?: boolean;
}

export interface FrameFilter {
  direction?: Direction;
  /** Only this opcode. */
  opcode?: number;
  /** Only frames with this violation, or with any. */
  violation?: string | 'any';
  /** A literal over the (decompressed) payload. */
  text?: string;
  /** A JavaScript regular expression over the payload text. */
  regex?: string;
  /** Flags for text (i) and regex (i, m, s, u). */
  flags?: string;
}

/** One search match: a data message, or a frame that belongs to no message (control frames). */
export interface SearchHitInfo {
  /** The connection. */
  connectionId: number;
  /** The frame to show: a message's final frame, or the lone frame (-1 for a message with no frame). */
  frame: number;
  /** The message number, when the hit is a message. */
  message?: number;
  /** Which way it travelled. */
  direction: Direction;
  /** When it completed, epoch ms. */
  time: number;
  /** The message's or the frame's opcode. */
  opcode: number;
  /** Text around the first match (empty without a text or regex). */
  snippet: string;
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
  /**
   * The recording policies it was recorded under, in order: the first, then each change (empty for a
   * session older than policies or an import: everything it holds was kept as it came).
   */
  recordPolicies?: RecordPolicyChange[];
}

export interface ProxyStatus {
  /** host:port the proxy listens on. */
  address: string;
  mode: 'explicit' | 'reverse';
  upstream?: string;
  /** The CA certificate's path, for "how to connect". */
  caPath?: string;
}

/** A breakpoint rule: traffic that matches every field it sets is held for the user. */
export interface BreakpointRule {
  /** Stable id (given by the engine on creation). */
  id: number;
  /** Switched on. */
  enabled: boolean;
  /** Hold upgrade requests (before they go upstream) or data messages. */
  phase: 'handshake' | 'message';
  /** Which way: send (client to server), receive, or both. */
  direction: Direction | 'both';
  /** Connection URL: a substring, or /regex/ with slashes. */
  urlPattern?: string;
  /** Only text (1) or binary (2) messages. */
  opcode?: 1 | 2;
  /** A substring of the message text. */
  text?: string;
  /** A regular expression over the message text. */
  regex?: string;
}

/** A message or handshake held by a breakpoint, waiting for the user. */
export interface HeldItem {
  /** Id for resolveHeld. */
  id: number;
  connectionId: number;
  url: string;
  kind: 'message' | 'handshake';
  direction: Direction;
  /** Epoch ms when it was held. */
  heldAt: number;
  /** The rule that matched. */
  ruleId: number;
  /** Messages: 1 text, 2 binary. */
  opcode?: number;
  /** Messages: the content, base64 (decompressed). */
  dataBase64?: string;
  /** Handshakes: the request as it will go upstream. */
  request?: { method: string; target: string; rawHeaders: string[] };
  /** Frames waiting behind it in the same direction (pings included), oldest first; the first 100. */
  queued: { opcode: number; length: number }[];
  /** How many frames wait behind it in the same direction. */
  queuedCount: number;
}

/** A new message to put into a live connection. */
export interface InjectSpec {
  /** text, binary, ping, pong or close. */
  kind: 'text' | 'binary' | 'ping' | 'pong' | 'close';
  /** The content, base64 (text as UTF-8). Not for close. */
  dataBase64?: string;
  /** Close frames: the code (omit for an empty close payload). */
  closeCode?: number;
  /** Close frames: the reason. */
  closeReason?: string;
}

/** A frame exactly as the user wants it on the wire, consistent or not. */
export interface RawFrameSpec {
  fin: boolean;
  rsv1: boolean;
  rsv2: boolean;
  rsv3: boolean;
  /** 0-15. */
  opcode: number;
  /** Set the MASK bit and mask the payload. */
  mask: boolean;
  /** 8 hex digits; a fresh random key when omitted. */
  maskKey?: string;
  /** The payload, base64. */
  payloadBase64: string;
  /** A false length field to write instead of the payload's length: a number, or decimal digits up to 2^64 − 1. */
  payloadLength?: number | string;
  /** Force a (non-minimal) length form. */
  lengthForm?: 7 | 16 | 64;
}

/** How a replayed connection's server answers compare with the original's, message by message. */
export interface ReplayComparison {
  /** The original connection. */
  originalId: number;
  /** The new connection. */
  replayId: number;
  same: number;
  different: number;
  missing: number;
  extra: number;
  /**
   * One row per answer pair: equal answers are matched wherever they are (in order), the rest pair up
   * by position. originalIndex and replayedIndex count the server's answers of each connection, from 0.
   */
  rows: { index: number; status: 'same' | 'different' | 'missing' | 'extra'; originalIndex?: number; replayedIndex?: number; original?: string; replayed?: string }[];
}

/** One replay of a connection, for its history. */
export interface ReplayRecord {
  /** The replay's connection. */
  replayId: number;
  /** The URL it was replayed against. */
  url: string;
  /** Epoch ms when it started. */
  startedAt: number;
  /** Where it is in its life. */
  state: ConnectionState;
  /** The replay's answers against the original's (so far, while it runs). */
  comparison: ReplayComparison;
}

/** Recording is paused: writes to the session's file fail, and traffic passes the proxy unrecorded. */
export interface RecordingPause {
  /** Epoch ms of the first failed write. */
  since: number;
  /** The failed write's error code (ENOSPC, EIO, EROFS...), or 'removed' when the session's file was removed. */
  code: string;
  /** The failure in words. */
  reason: string;
}

/** A stretch of traffic that passed the proxy unrecorded because writes to the session's file failed. */
export interface RecordingGap {
  /** Epoch ms when recording paused (the first failed write). */
  from: number;
  /** Epoch ms when it resumed (writes succeeded again). */
  to: number;
  /** The failed write's error code (ENOSPC, EIO, EROFS...), or 'removed'. */
  code: string;
  /** The failure in words. */
  reason: string;
  /** Frames that passed unrecorded. */
  frames: number;
  /** Data messages that passed unrecorded. */
  messages: number;
  /** Wire bytes of those frames (headers and payload lengths). */
  bytes: number;
  /** The connections whose frames or records were not recorded, by id. */
  connectionIds: number[];
}

/** One side of a comparison: a connection of the browsed session, or of another saved session. */
export interface CompareSide {
  /** The session's name; the browsed session when omitted. */
  session?: string;
  connectionId: number;
}

/** One row of two connections' aligned message sequences. */
export interface ComparisonRow {
  kind: DiffKind;
  left?: MessageSummary;
  right?: MessageSummary;
}

/** Two connections' data messages, aligned by content and direction. */
export interface ConnectionComparison {
  left: { session: string; connection: ConnectionSummary };
  right: { session: string; connection: ConnectionSummary };
  rows: ComparisonRow[];
  counts: Record<DiffKind, number>;
  /** The alignment is exact (false: past its edit bound, the middle was paired by position). */
  exact: boolean;
  /** Messages left out past the comparison's limit, per side. */
  omitted: { left: number; right: number };
}

/** Two messages side by side: their content as text (binary as a hex dump) and how it differs. */
export interface MessageComparison {
  left: MessageSummary & { text: string };
  right: MessageSummary & { text: string };
  diff: TextDiff;
}

export type { Annotation, AnnotationTarget, Highlight } from '../capture/annotations.js';
import type { Annotation, Highlight } from '../capture/annotations.js';
import type { RecordPolicy, RecordPolicyChange } from '../capture/record-policy.js';
export type { RecordMode, RecordPolicy, RecordPolicyChange } from '../capture/record-policy.js';

/** A note, pin or highlight to save; an empty one (no note, not pinned, no highlight) removes the mark. */
export type AnnotationInput = Omit<Annotation, 'time' | 'highlight'> & { highlight?: Highlight | null };

/** A hit of a search across sessions: where it is (session, connection URL) and what matched. */
export interface SessionSearchHit extends SearchHitInfo {
  session: string;
  /** The connection's URL. */
  url: string;
}

/** How a HAR export or import job is going; sent to the client that started it. */
export interface HarJobEvent {
  kind: 'har-job';
  jobId: number;
  job: 'export' | 'import';
  state: 'running' | 'done' | 'failed' | 'cancelled';
  /** Work done and total: messages and frames for an export, bytes read for an import. */
  done: number;
  total: number;
  /** failed: what went wrong. */
  message?: string;
  /** An export that is done: bytes of the HAR. */
  bytes?: number;
  /** An import that is done: the new session (now browsed) and the problems found. */
  session?: SessionInfo;
  problems?: string[];
}

/** Commands: method name -> params and result (the newer features' in their own files). */
export interface ControlCommands extends LiveCommands, AutomationCommands, ProtocolCommands, InterceptCommands {
  hello: { params: Record<string, never>; result: { version: number; proxy: ProxyStatus; session: SessionInfo; recording: boolean; recordingPaused: RecordingPause | null; recordPolicy?: RecordPolicy } };
  listConnections: { params: Record<string, never>; result: ConnectionSummary[] };
  getConnection: { params: { id: number }; result: ConnectionDetail };
  queryFrames: { params: { connectionId: number; start: number; end: number; filter?: Omit<FrameFilter, 'text' | 'regex' | 'flags'>; sort?: FrameListSort }; result: { total: number; frames: FrameSummary[] } };
  /** Where frame `number` sits in the list under a filter and sort; -1 when the filter hides it. */
  locateFrame: { params: { connectionId: number; number: number; filter?: Omit<FrameFilter, 'text' | 'regex' | 'flags'>; sort?: FrameListSort }; result: { position: number } };
  getFrame: { params: { connectionId: number; number: number }; result: FrameDetail };
  /** A connection's data messages by range (a session imported from another tool's HAR has only these). */
  queryMessages: { params: { connectionId: number; start: number; end: number }; result: { total: number; messages: MessageSummary[] } };
  /** One message with its data. */
  getMessage: { params: { connectionId: number; number: number }; result: MessageSummary & { dataBase64: string } };
  search: { params: { connectionId: number | null; filter: FrameFilter }; result: { searchId: number } };
  cancelSearch: { params: { searchId: number }; result: Record<string, never> };
  /**
   * Starts a HAR export job (progress in har-job events). With path the engine writes the file there
   * (the desktop shell's save dialog); without, into a private file that readHarExport hands out in pieces.
   */
  startHarExport: { params: { connectionIds?: number[]; path?: string }; result: { jobId: number; fileName: string } };
  /** A piece of a finished export (without path): up to 1 MiB from offset, base64; end when it is the last. */
  readHarExport: { params: { jobId: number; offset: number }; result: { dataBase64: string; end: boolean } };
  /** Forgets a finished export's file. */
  releaseHarExport: { params: { jobId: number }; result: Record<string, never> };
  /**
   * Starts a HAR import job into a new session (progress in har-job events; done names the session, which
   * is then browsed). With path the engine reads the file (the desktop shell's open dialog); without, the
   * text arrives with writeHarImport and ends with finishHarImport.
   */
  startHarImport: { params: { name?: string; path?: string }; result: { jobId: number } };
  /** The next piece of an uploaded HAR's text. */
  writeHarImport: { params: { jobId: number; text: string }; result: Record<string, never> };
  /** The uploaded text is complete. */
  finishHarImport: { params: { jobId: number }; result: Record<string, never> };
  /** Cancels an export or import job (a cancelled import leaves no session). Jobs also end when their client disconnects. */
  cancelHarJob: { params: { jobId: number }; result: Record<string, never> };
  listSessions: { params: Record<string, never>; result: SessionInfo[] };
  newSession: { params: { name?: string }; result: SessionInfo };
  openSession: { params: { name: string }; result: SessionInfo };
  saveSession: { params: { name: string }; result: SessionInfo };
  deleteSession: { params: { name: string }; result: Record<string, never> };
  setRecording: { params: { on: boolean }; result: { recording: boolean } };
  /** The browsed session's gaps: where writes failed and traffic passed unrecorded, in order. */
  listGaps: { params: Record<string, never>; result: RecordingGap[] };
  /** Puts a message into a live connection: toward the server (send) or the client (receive). */
  inject: { params: { connectionId: number; direction: Direction; message: InjectSpec }; result: Record<string, never> };
  /** Sends a captured message again on its connection, as it was or edited, either way. */
  resend: { params: { connectionId: number; messageNumber: number; direction?: Direction; edited?: { opcode: 1 | 2; dataBase64: string } }; result: Record<string, never> };
  /** Sends a hand-crafted frame as it is. */
  sendRawFrame: { params: { connectionId: number; direction: Direction; frame: RawFrameSpec }; result: Record<string, never> };
  /** Closes a live connection cleanly (close frames) or abruptly (TCP reset). */
  closeConnection: { params: { connectionId: number; mode: 'clean' | 'abrupt'; toward: 'client' | 'server' | 'both'; code?: number; reason?: string }; result: Record<string, never> };
  listBreakpoints: { params: Record<string, never>; result: { enabled: boolean; rules: BreakpointRule[] } };
  /** Creates (id 0) or replaces a rule. */
  setBreakpoint: { params: { rule: BreakpointRule }; result: BreakpointRule };
  deleteBreakpoint: { params: { id: number }; result: Record<string, never> };
  /** Switches every breakpoint on or off at once. */
  setBreakpointsEnabled: { params: { on: boolean }; result: { enabled: boolean } };
  listHeld: { params: Record<string, never>; result: HeldItem[] };
  /** Forwards a held item as it is, forwards it edited, or drops it. */
  resolveHeld: { params: { id: number; action: 'forward' | 'drop'; editedMessage?: { opcode: 1 | 2; dataBase64: string }; editedRequest?: { target: string; rawHeaders: string[] } }; result: Record<string, never> };
  resolveAllHeld: { params: { action: 'forward' | 'drop' }; result: { count: number } };
  /** Client mode: Framescope opens a connection itself. */
  openClient: { params: { url: string; headers?: [string, string][]; protocols?: string[] }; result: { connectionId: number } };
  /** Saves a note, pin or highlight on a connection, frame or message of the open session (every UI hears it). */
  setAnnotation: { params: { annotation: AnnotationInput }; result: Annotation };
  /** The notes, pins and highlights of a connection, or of the whole session. */
  listAnnotations: { params: { connectionId?: number }; result: Annotation[] };
  /** Opens a new connection like a recorded one and sends its client messages again. */
  replay: { params: { connectionId: number; timing: 'fast' | 'original'; speed?: number; targetUrl?: string; source?: 'received' | 'sent' }; result: { connectionId: number } };
  /** Every replay of a connection in this session, oldest first, each compared with the original. */
  listReplays: { params: { connectionId: number }; result: ReplayRecord[] };
  /** The runtime settings: saved, in effect, and which the command line set for this run. */
  getSettings: { params: Record<string, never>; result: SettingsState };
  /** Changes some settings: checked (a bad value is an error naming it), applied at once where they can be, saved. */
  setSettings: { params: { settings: Partial<Settings> }; result: SettingsState };
  /** A session's connections, to pick one to compare (the browsed session when omitted). */
  listSessionConnections: { params: { session?: string }; result: { session: string; connections: ConnectionSummary[] } };
  /**
   * Searches every connection of the given sessions ('all': every saved session), one session at a
   * time; hits stream as 'sessions-search-hits' events to the caller, then one 'sessions-search-done'.
   */
  searchSessions: { params: { sessions: 'all' | string[]; filter: FrameFilter; maxHits?: number }; result: { searchId: number; sessions: string[] } };
  cancelSessionsSearch: { params: { searchId: number }; result: Record<string, never> };
  /** Aligns two connections' data messages (in this session or saved ones): same, changed, added, removed. */
  compareConnections: { params: { left: CompareSide; right: CompareSide }; result: ConnectionComparison };
  /** Two messages side by side with a JSON-aware diff (a line diff for other text, a hex dump for binary). */
  compareMessages: { params: { left: CompareSide & { message: number }; right: CompareSide & { message: number } }; result: MessageComparison };
  /**
   * Starts a capture (pcap, pcapng) import job into a new session, as startHarImport does: the engine reads
   * path, or the bytes arrive with writeCaptureImport and end with finishHarImport (cancelHarJob cancels).
   */
  startCaptureImport: { params: { name?: string; path?: string }; result: { jobId: number } };
  /** The next piece of an uploaded capture, base64; answered once the session's file has caught up. */
  writeCaptureImport: { params: { jobId: number; dataBase64: string }; result: Record<string, never> };
  /**
   * Starts a pcapng export job of the browsed session (or some connections; legs 'both' adds the upstream
   * leg): to path, or to a private file read back with readHarExport and released with releaseHarExport.
   */
  startPcapngExport: { params: { connectionIds?: number[]; path?: string; legs?: 'client' | 'both' }; result: { jobId: number; fileName: string } };
  /** What the live session records from now on: full, headers (with the payload prefix kept) or off. The change is recorded in the session. */
  setRecordPolicy: { params: { mode: RecordPolicy['mode']; prefixBytes?: number }; result: RecordPolicy };
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
  /** A connection opened, or its state changed (with its counts of that moment). */
  | { kind: 'connection'; connection: ConnectionSummary }
  /**
   * Connections whose counts changed, and nothing else: for each, its id then its counts in
   * COUNT_FIELDS order, one flat list ([id, frameCount, messageCount, ..., id, frameCount, ...]).
   */
  | { kind: 'counts'; counts: number[] }
  /** The subscribed window's rows that changed: at list positions start, start + 1...; total is the list's length. */
  | ({ kind: 'frames' } & FrameWindow)
  | { kind: 'search-hits'; searchId: number; hits: SearchHitInfo[] }
  | { kind: 'search-done'; searchId: number; scanned: number; hits: number }
  | HarJobEvent
  | { kind: 'session'; session: SessionInfo }
  | { kind: 'error'; message: string; time: number; connectionId?: number }
  | { kind: 'budget'; level: 'warning' | 'reached'; usage: number; budget: number }
  | { kind: 'held'; items: HeldItem[] }
  | { kind: 'replay-done'; comparison: ReplayComparison }
  /** A mark was saved; an empty one (no note, not pinned, no highlight) was removed. */
  | { kind: 'annotation'; annotation: Annotation }
  /** Writes to the live session's file failed: recording paused (pause), or they succeed again and the gap is recorded (gap). */
  | { kind: 'recording-write'; pause: RecordingPause | null; gap?: RecordingGap }
  | { kind: 'sessions-search-hits'; searchId: number; session: string; hits: SessionSearchHit[] }
  /** The search across sessions ended: finished, cancelled, or stopped at its hit limit (limited). */
  | { kind: 'sessions-search-done'; searchId: number; sessions: number; scanned: number; hits: number; limited: boolean; cancelled: boolean; problems: string[] }
  /** The runtime settings changed (any window, or the command line at start). */
  | { kind: 'settings'; settings: SettingsState }
  /**
   * The live session while another one is browsed: its name and the connections it opened since the
   * view left it (0 again once it is browsed). Sent at most once per announcement tick.
   */
  | { kind: 'live'; name: string; newConnections: number }
  /** The rules file's rules or status changed (a reload, a save, a refused reload): getRules tells what they are now. */
  | { kind: 'rules' };

/**
 * Events are batched: at most one batch per flush interval per client, none while the client is behind
 * (its socket holds unread bytes, or a paced client has not acknowledged the last batch).
 */
export interface ControlEventBatch {
  type: 'events';
  events: ControlEvent[];
  /** The batch's number, for ackEvents. */
  batch: number;
}

export type ControlServerMessage = ControlResponse | ControlEventBatch;

