// HAR import: a HAR file back into ConnectionRecords (contract: shared/DESIGN.md, "HAR"). It reads what
// har-export.ts writes, so that export -> import -> export gives the same HAR, and what other tools write:
// Chrome DevTools, HTTP Toolkit, mitmproxy's savehar addon and Playwright's recordHar.
//
// A HAR holds less than a capture. From our own HAR everything the exporter writes comes back, and:
// - Frames (`_webSocketFrames`): every header field, close code and reason, violations and the proxy's
//   flags. index and offset are recounted per direction (exact when the HAR lists every frame, as ours
//   does), headerLength follows from the length form and the mask. The length form itself is not in the
//   HAR: it is the minimal one, except with 'non-minimal-length' (assumed 16 bits below 126, else 64).
// - Frame payloads come back where the HAR determines them: empty frames, close frames (from code and
//   reason), and the frames of an uncompressed, untruncated message with valid text (its data split by
//   the frames' lengths). Compressed bytes, ping/pong payloads and frames of truncated messages are not in
//   the HAR: their payload is empty and `truncated` is true.
// - Messages: frameIndexes, compressed, size and violations are rebuilt by grouping each direction's frames
//   the way the message assembler does. Text that was not valid UTF-8 comes back as the exporter wrote it
//   (with U+FFFD), and the size of a compressed truncated message is only what was kept.
// - request.time and response.time: the HAR has the start, the wait and the total time; they come back
//   exactly while the connection has no endedAt, and otherwise as start and start + wait.
// - `_framescope.id` is not restored: ids count from 1 in entry order.
// From other tools come messages only (no frames: nothing wire-level is made up), and the checks, the
// subprotocol and the extensions computed from the handshake headers as the proxy computes them.
import { MESSAGE_VIOLATIONS } from '../protocol/message-assembler.js';
import type {
  CapturedFrame, CapturedMessage, ConnectionRecord, ConnectionState, Direction, RecordedCheck, RecordedClose,
  RecordedRequest, RecordedResponse, UpstreamTls,
} from './capture-model.js';
import { Opcode } from '../protocol/frame.js';
import type { Frame, LengthForm, Message } from '../protocol/frame.js';
import type { HarFrameFields } from '../protocol/frame-json.js';
import { encodeClosePayload, minimalLengthForm } from '../protocol/frame-encoder.js';
import { checkUpgradeRequest, checkUpgradeResponse } from '../protocol/handshake.js';
import { headerValues } from '../protocol/http-head.js';
import { negotiatedDeflate } from '../protocol/permessage-deflate.js';
import { VIOLATIONS } from '../protocol/violations.js';
import type { ViolationCode } from '../protocol/violations.js';

/** The tool that wrote a HAR file. */
export type HarFormat = 'framescope' | 'chrome' | 'httptoolkit' | 'mitmproxy' | 'playwright' | 'unknown';

export interface HarImportResult {
  /** One record per WebSocket entry, ids from 1 in entry order. */
  connections: ConnectionRecord[];
  /** Everything skipped or repaired, each naming the entry and the field. */
  problems: HarImportProblem[];
  /** Which tool wrote the file: from log.creator, else 'framescope' when our fields are there. */
  format: HarFormat;
}

export interface HarImportProblem {
  /** Index of the entry in log.entries; -1 for the file as a whole. */
  entry: number;
  /** The field in the entry (in the file for entry -1), e.g. "_webSocketMessages[3].time"; '' for the whole entry. */
  field: string;
  /** What is wrong and what import did about it. */
  message: string;
}

/** Nothing at all could be read: not JSON, or no log.entries. */
export class HarImportError extends Error {
  override name = 'HarImportError';
}

type Json = Record<string, unknown>;

const EMPTY = Buffer.alloc(0);

/** Playwright writes epoch milliseconds, the others epoch seconds; 1e11 seconds is the year 5138. */
const MILLISECONDS_ABOVE = 1e11;

/**
 * The violations about a message's content, which the message assembler records on the message and on
 * the frame where it found them (its MESSAGE_VIOLATIONS): they bring a message's violations back.
 */

const STATES: readonly ConnectionState[] = ['connecting', 'open', 'closing', 'closed', 'failed'];

/** Reads a HAR file. Throws HarImportError only when nothing can be read; every other flaw is a problem. */
export function importHar(text: string): HarImportResult {
  const problems: HarImportProblem[] = [];
  const root = parseHarJson(text, problems);
  if (!isObject(root) || !isObject(root.log)) throw new HarImportError('no "log" object: this is not a HAR file');
  const entries = root.log.entries;
  if (!Array.isArray(entries)) throw new HarImportError('"log.entries" is not an array: this is not a HAR file');
  const format = detectFormat(root.log, entries);
  const connections: ConnectionRecord[] = [];
  entries.forEach((entry: unknown, index) => {
    if (!isObject(entry)) {
      problems.push({ entry: index, field: '', message: 'not an object; entry skipped' });
      return;
    }
    if (!isWebSocketEntry(entry)) return;
    const record = new EntryReader(index, problems).read(entry, connections.length + 1);
    if (record) connections.push(record);
  });
  return { connections, problems, format };
}

/** One line for a problem: `entry 3, field "_webSocketMessages[7].data": not a string; message skipped`. */
export function formatHarImportProblem(problem: HarImportProblem): string {
  const where = problem.entry >= 0 ? `entry ${problem.entry}` : 'file';
  return problem.field ? `${where}, field "${problem.field}": ${problem.message}` : `${where}: ${problem.message}`;
}

/**
 * The reverse of frameToJson: the fields of one `_webSocketFrames` item. Returns undefined when the item
 * lacks what a frame cannot do without (opcode, payloadLength); other bad fields are reported and left at
 * their defaults (false bits, no mask key, no close code, no violations). `type` and `time` are copied when
 * valid and left out otherwise; the caller decides whether it can do without them.
 */
export function frameFromJson(value: unknown, report: (field: string, message: string) => void): HarFrameFields | undefined {
  if (!isObject(value)) {
    report('', 'not an object; frame skipped');
    return undefined;
  }
  if (!isInteger(value.opcode) || value.opcode < 0 || value.opcode > 15) {
    report('opcode', `${bad(value.opcode, 'an opcode (0-15)')}; frame skipped`);
    return undefined;
  }
  if (!isInteger(value.payloadLength) || value.payloadLength < 0) {
    report('payloadLength', `${bad(value.payloadLength, 'a length')}; frame skipped`);
    return undefined;
  }
  const bit = (name: 'fin' | 'rsv1' | 'rsv2' | 'rsv3' | 'masked'): boolean => {
    const v = value[name];
    if (typeof v === 'boolean') return v;
    report(name, `${bad(v, 'true or false')}; read as false`);
    return false;
  };
  const fields: HarFrameFields = {
    fin: bit('fin'), rsv1: bit('rsv1'), rsv2: bit('rsv2'), rsv3: bit('rsv3'),
    opcode: value.opcode, masked: bit('masked'), payloadLength: value.payloadLength,
  };
  if (value.type === 'send' || value.type === 'receive') fields.type = value.type;
  if (typeof value.time === 'number' && Number.isFinite(value.time)) fields.time = value.time;
  if (value.maskKey !== undefined) {
    if (typeof value.maskKey === 'string' && /^[0-9a-fA-F]{8}$/.test(value.maskKey)) fields.maskKey = value.maskKey.toLowerCase();
    else report('maskKey', `${bad(value.maskKey, '8 hex digits')}; left out`);
  }
  if (value.closeCode !== undefined) {
    if (isInteger(value.closeCode) && value.closeCode >= 0 && value.closeCode <= 0xffff) fields.closeCode = value.closeCode;
    else report('closeCode', `${bad(value.closeCode, 'a 16-bit code')}; left out`);
  }
  if (value.closeReason !== undefined) {
    if (typeof value.closeReason === 'string') fields.closeReason = value.closeReason;
    else report('closeReason', 'not a string; left out');
  }
  if (value.violations !== undefined) fields.violations = violationList(value.violations, 'violations', report);
  return fields;
}

/**
 * HAR seconds (or Playwright's milliseconds) to epoch milliseconds. For seconds the exporter wrote as t / 1000
 * this finds t again, so that the next export writes the same seconds: whole (then micro-) milliseconds
 * first, as Date.now() records them, then the doubles next to time * 1000. Seconds that no t / 1000 gives
 * (other tools' microseconds, now and then) get the nearest milliseconds.
 */
export function harTimeToMs(time: number): number {
  if (time >= MILLISECONDS_ABOVE) return time;
  const nearest = time * 1000;
  for (const ms of [Math.round(nearest), Math.round(time * 1e6) / 1000, nearest]) {
    if (ms / 1000 === time) return ms;
  }
  for (let step = 1; step <= 4; step++) {
    for (const ms of [adjacentDouble(nearest, step), adjacentDouble(nearest, -step)]) {
      if (ms / 1000 === time) return ms;
    }
  }
  return nearest;
}

const DOUBLE = new Float64Array(1);
const DOUBLE_BITS = new BigInt64Array(DOUBLE.buffer);

/** The double `steps` representable values above (or below) a positive x. */
function adjacentDouble(x: number, steps: number): number {
  DOUBLE[0] = x;
  DOUBLE_BITS[0]! += BigInt(steps);
  return DOUBLE[0]!;
}

/** Reads one HAR entry into a record, reporting what it skips or repairs under the entry's index. */
class EntryReader {
  constructor(private readonly index: number, private readonly problems: HarImportProblem[]) {}

  private problem(field: string, message: string): void {
    this.problems.push({ entry: this.index, field, message });
  }

  read(e: Json, id: number): ConnectionRecord | undefined {
    if (!isObject(e.request)) {
      this.problem('request', 'missing or not an object; entry skipped');
      return undefined;
    }
    const request = e.request;
    const url = this.url(request.url);
    if (url === undefined) return undefined;
    const fs = this.framescope(e._framescope);
    const messageList = this.messages(e._webSocketMessages);
    const frames = this.frames(e._webSocketFrames);
    const startedAt = this.startedAt(e.startedDateTime, messageList.messages, frames);
    fillTimes(messageList.messages, startedAt);
    fillTimes(frames, startedAt);

    const method = this.method(request.method);
    const httpVersion = this.httpVersion(request.httpVersion, 'request.httpVersion');
    const rawHeaders = this.headers(request.headers, 'request.headers');
    const target = fs?.requestTarget ?? originForm(url.parsed);
    const response = this.response(e.response);
    const times = handshakeTimes(e, startedAt, response !== undefined, fs);
    const recordedRequest: RecordedRequest = { method, target, httpVersion, rawHeaders, time: times.request };
    if (response) response.time = times.response;

    // What the proxy would have found in these heads; our own HAR says it in _framescope.
    const derived = computedHandshake(recordedRequest, response);
    const { close, closedAt } = this.close(e._webSocketClose);
    const record: ConnectionRecord = {
      id,
      url: url.text,
      clientAddress: fs?.clientAddress ?? '',
      startedAt,
      state: fs?.state ?? (!response || response.statusCode !== 101 ? 'failed' : 'closed'),
      request: recordedRequest,
      checks: fs?.checks ?? derived.checks,
      frames,
      messages: messageList.messages,
    };
    const serverAddress = fs ? fs.serverAddress : this.serverAddress(e.serverIPAddress, e._serverPort);
    if (serverAddress !== undefined) record.serverAddress = serverAddress;
    if (response) record.response = response;
    const protocol = fs ? fs.protocol : derived.protocol;
    if (protocol !== undefined) record.protocol = protocol;
    const extensions = fs ? fs.extensions : derived.extensions;
    if (extensions !== undefined) record.extensions = extensions;
    if (fs?.tls) record.tls = fs.tls;
    const error = fs ? stringValue(e._error) : foreignError(e, response, messageList.errors);
    if (error !== undefined) record.error = error;
    if (close) record.close = close;
    // Other tools seldom say when a WebSocket ended: its last message (or its start) stands in, so a
    // finished connection still has a duration.
    const lastMessage = messageList.messages.reduce((latest, m) => (Number.isFinite(m.time) ? Math.max(latest, m.time) : latest), record.startedAt);
    const endedAt = fs ? fs.endedAt : closedAt ?? (record.state === 'closed' || record.state === 'failed' ? lastMessage : undefined);
    if (endedAt !== undefined) record.endedAt = endedAt;

    if (frames.length > 0) {
      const deflate = negotiatedDeflate(record.extensions).params !== null;
      this.linkFrames(record, deflate);
    } else if (isObject(e.response) && isObject(e.response.content) && typeof e.response.content._file === 'string' && e._webSocketMessages === undefined) {
      // Playwright's recordHar with content: 'attach' writes the messages to a side file.
      this.problem('response.content._file', `the messages are in the attached file "${e.response.content._file}", which a HAR import cannot read; record the HAR with embedded content`);
    }
    return record;
  }

  /** The entry's URL, ws:// or wss:// (mitmproxy and some others write http:// and https://). */
  private url(value: unknown): { text: string; parsed: URL } | undefined {
    if (typeof value !== 'string') {
      this.problem('request.url', `${bad(value, 'a URL')}; entry skipped`);
      return undefined;
    }
    let parsed: URL;
    try {
      parsed = new URL(value);
    } catch {
      this.problem('request.url', `"${value}" is not a URL; entry skipped`);
      return undefined;
    }
    if (parsed.protocol === 'http:' || parsed.protocol === 'https:') {
      const text = value.replace(/^http/i, 'ws');
      return { text, parsed: new URL(text) };
    }
    if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') {
      this.problem('request.url', `"${value}" is not a ws://, wss://, http:// or https:// URL; entry skipped`);
      return undefined;
    }
    return { text: value, parsed };
  }

  private method(value: unknown): string {
    if (typeof value === 'string') return value;
    this.problem('request.method', `${bad(value, 'a method')}; read as GET`);
    return 'GET';
  }

  private startedAt(value: unknown, messages: CapturedMessage[], frames: CapturedFrame[]): number {
    const parsed = typeof value === 'string' ? Date.parse(value) : NaN;
    if (!Number.isNaN(parsed)) return parsed;
    // A loop, not Math.min(...times): a long capture has more times than a call takes arguments.
    let first = Infinity;
    for (const item of [...messages, ...frames]) if (item.time < first) first = item.time;
    const fallback = Number.isFinite(first) ? first : 0;
    this.problem('startedDateTime', `${bad(value, 'an ISO date')}; the connection starts at ${
      Number.isFinite(first) ? 'its first message' : 'the epoch'} (${new Date(fallback).toISOString()})`);
    return fallback;
  }

  private httpVersion(value: unknown, field: string): string {
    if (typeof value === 'string') {
      const match = /^HTTP\/(\d+(?:\.\d+)?)$/i.exec(value);
      if (match) return match[1]!;
      if (value === 'h2') return '2.0';
      if (value === 'h3') return '3.0';
    }
    this.problem(field, `${bad(value, 'an HTTP version')}; read as 1.1`);
    return '1.1';
  }

  /** HAR headers to rawHeaders, in order. */
  private headers(value: unknown, field: string): string[] {
    if (value === undefined) return [];
    if (!Array.isArray(value)) {
      this.problem(field, 'not an array; no headers read');
      return [];
    }
    const raw: string[] = [];
    value.forEach((header: unknown, i) => {
      if (isObject(header) && typeof header.name === 'string' && typeof header.value === 'string') raw.push(header.name, header.value);
      else this.problem(`${field}[${i}]`, 'not a name and value string; header skipped');
    });
    return raw;
  }

  /** The handshake's answer; status 0 (or -1, Playwright's) means there was none. time is set by the caller. */
  private response(value: unknown): RecordedResponse | undefined {
    if (value === undefined || value === null) {
      this.problem('response', 'missing; the handshake has no answer');
      return undefined;
    }
    if (!isObject(value)) {
      this.problem('response', 'not an object; the handshake has no answer');
      return undefined;
    }
    if (typeof value.status !== 'number') {
      this.problem('response.status', `${bad(value.status, 'a status code')}; the handshake has no answer`);
      return undefined;
    }
    if (value.status <= 0) return undefined;
    let statusMessage = '';
    if (typeof value.statusText === 'string') statusMessage = value.statusText;
    else this.problem('response.statusText', `${bad(value.statusText, 'a string')}; read as ""`);
    const response: RecordedResponse = {
      statusCode: value.status,
      statusMessage,
      httpVersion: this.httpVersion(value.httpVersion, 'response.httpVersion'),
      rawHeaders: this.headers(value.headers, 'response.headers'),
      time: 0,
    };
    const body = this.body(value.content);
    if (body) response.body = body;
    return response;
  }

  private body(content: unknown): Buffer | undefined {
    if (!isObject(content) || content.text === undefined) return undefined;
    if (typeof content.text !== 'string') {
      this.problem('response.content.text', 'not a string; body skipped');
      return undefined;
    }
    if (content.text === '') return undefined;
    if (content.encoding === undefined) return Buffer.from(content.text, 'utf8');
    if (content.encoding === 'base64') {
      if (isBase64(content.text)) return Buffer.from(content.text, 'base64');
      this.problem('response.content.text', 'not valid base64; body skipped');
      return undefined;
    }
    this.problem('response.content.encoding', `unknown encoding ${describe(content.encoding)}; body skipped`);
    return undefined;
  }

  /** `_webSocketMessages`, with Chrome's error items kept apart. A bad time is NaN until fillTimes. */
  private messages(value: unknown): { messages: CapturedMessage[]; errors: string[] } {
    const result = { messages: [] as CapturedMessage[], errors: [] as string[] };
    if (value === undefined) return result;
    if (!Array.isArray(value)) {
      this.problem('_webSocketMessages', 'not an array; no messages imported');
      return result;
    }
    value.forEach((item: unknown, i) => {
      const field = `_webSocketMessages[${i}]`;
      if (!isObject(item)) {
        this.problem(field, 'not an object; message skipped');
        return;
      }
      if (item.type === 'error') {
        // Chrome DevTools lists the errors it saw on a WebSocket among the messages (opcode -1).
        const text = typeof item.data === 'string' ? item.data : '';
        result.errors.push(text);
        this.problem(`${field}.type`, `an error the browser recorded, not a message: "${text}"; skipped`);
        return;
      }
      if (item.type !== 'send' && item.type !== 'receive') {
        this.problem(`${field}.type`, `${bad(item.type, '"send" or "receive"')}; message skipped`);
        return;
      }
      if (typeof item.data !== 'string') {
        this.problem(`${field}.data`, 'not a string; message skipped');
        return;
      }
      if (item.opcode === Opcode.Close || item.opcode === Opcode.Ping || item.opcode === Opcode.Pong) {
        this.problem(`${field}.opcode`, `${String(item.opcode)} is a control frame, not a data message; skipped`);
        return;
      }
      let opcode: number = Opcode.Text;
      if (item.opcode === Opcode.Binary) opcode = Opcode.Binary;
      else if (item.opcode !== Opcode.Text) this.problem(`${field}.opcode`, `${bad(item.opcode, '1 (text) or 2 (binary)')}; read as text`);
      let data: Buffer;
      if (opcode === Opcode.Text) {
        data = Buffer.from(item.data, 'utf8');
      } else if (isBase64(item.data)) {
        data = Buffer.from(item.data, 'base64');
      } else {
        this.problem(`${field}.data`, 'not valid base64 for a binary message; message skipped');
        return;
      }
      let truncated = false;
      if (item.truncated === true) truncated = true;
      else if (item.truncated !== undefined && item.truncated !== false) this.problem(`${field}.truncated`, `${bad(item.truncated, 'true or false')}; read as false`);
      const message: Message = { opcode, data, truncated, compressed: false, size: data.length, frameIndexes: [], violations: [] };
      const captured: CapturedMessage = { direction: item.type, time: this.time(item.time, `${field}.time`, 'message'), message };
      // Framescope's flags on messages it made, edited or held back.
      for (const flag of ['injected', 'edited', 'dropped'] as const) {
        if (item[flag] === true) captured[flag] = true;
        else if (item[flag] !== undefined && item[flag] !== false) this.problem(`${field}.${flag}`, `${bad(item[flag], 'true or false')}; read as false`);
      }
      result.messages.push(captured);
    });
    return result;
  }

  /** `_webSocketFrames`, with index and offset counted per direction. A bad time is NaN until fillTimes. */
  private frames(value: unknown): CapturedFrame[] {
    if (value === undefined) return [];
    if (!Array.isArray(value)) {
      this.problem('_webSocketFrames', 'not an array; no frames imported');
      return [];
    }
    const next: Record<Direction, { index: number; offset: number }> = { send: { index: 0, offset: 0 }, receive: { index: 0, offset: 0 } };
    const frames: CapturedFrame[] = [];
    value.forEach((item: unknown, i) => {
      const field = `_webSocketFrames[${i}]`;
      const report = (name: string, message: string) => this.problem(name ? `${field}.${name}` : field, message);
      const fields = frameFromJson(item, report);
      if (!fields) return;
      if (fields.type === undefined) {
        report('type', `${bad((item as Json).type, '"send" or "receive"')}; frame skipped`);
        return;
      }
      const json = item as Json;
      const time = this.time(json.time, `${field}.time`, 'frame');
      const position = next[fields.type];
      const frame = frameFromFields(fields, position.index, position.offset);
      position.index += 1;
      position.offset += frame.headerLength + frame.payloadLength;
      const captured: CapturedFrame = { direction: fields.type, time, frame };
      for (const flag of ['injected', 'edited', 'dropped'] as const) {
        if (json[flag] === true) captured[flag] = true;
        else if (json[flag] !== undefined && json[flag] !== false) report(flag, `${bad(json[flag], 'true or false')}; read as false`);
      }
      frames.push(captured);
    });
    return frames;
  }

  /** A message or frame time as epoch ms; NaN (filled in later) with a problem when it is not a time. */
  private time(value: unknown, field: string, what: string): number {
    if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return harTimeToMs(value);
    this.problem(field, `${bad(value, 'a time')}; the ${what} takes the time of the one before it`);
    return NaN;
  }

  /** `_webSocketClose`: ours and HTTP Toolkit's object, or HTTP Toolkit's "aborted". */
  private close(value: unknown): { close?: RecordedClose; closedAt?: number } {
    if (value === undefined || value === null) return {};
    if (value === 'aborted') {
      this.problem('_webSocketClose', 'the connection was aborted; recorded as 1006, closed by the server (the HAR does not say which side)');
      return { close: { code: 1006, reason: '', closedBy: 'server' } };
    }
    if (!isObject(value)) {
      this.problem('_webSocketClose', 'not an object; no close recorded');
      return {};
    }
    let code = 1005; // RFC 6455 §7.1.5: no status code was present.
    if (isInteger(value.code) && value.code >= 0 && value.code <= 0xffff) code = value.code;
    else if (value.code !== undefined) this.problem('_webSocketClose.code', `${bad(value.code, 'a close code')}; read as 1005 (none)`);
    let reason = '';
    if (typeof value.reason === 'string') reason = value.reason;
    else if (value.reason !== undefined) this.problem('_webSocketClose.reason', 'not a string; read as ""');
    let closedBy: RecordedClose['closedBy'] = 'server';
    if (value.closedBy === 'client' || value.closedBy === 'server') closedBy = value.closedBy;
    else this.problem('_webSocketClose.closedBy', `${bad(value.closedBy, '"client" or "server"')}; read as "server"`);
    const closedAt = typeof value.timestamp === 'number' && Number.isFinite(value.timestamp) && value.timestamp > 0
      ? harTimeToMs(value.timestamp)
      : undefined;
    return { close: { code, reason, closedBy }, closedAt };
  }

  /** Our `_framescope` object: the record's fields that the standard HAR fields do not carry. */
  private framescope(value: unknown): FramescopeFields | undefined {
    if (value === undefined) return undefined;
    if (!isObject(value)) {
      this.problem('_framescope', 'not an object; ignored');
      return undefined;
    }
    const fs: FramescopeFields = {};
    const string = (name: string): string | undefined => {
      const v = value[name];
      if (typeof v === 'string') return v;
      if (v !== undefined) this.problem(`_framescope.${name}`, 'not a string; ignored');
      return undefined;
    };
    if (STATES.includes(value.state as ConnectionState)) fs.state = value.state as ConnectionState;
    else this.problem('_framescope.state', `${bad(value.state, 'a connection state')}; derived from the response`);
    fs.clientAddress = string('clientAddress');
    fs.serverAddress = string('serverAddress');
    fs.requestTarget = string('requestTarget');
    fs.protocol = string('protocol');
    fs.extensions = string('extensions');
    fs.checks = this.checks(value.checks);
    if (value.tls !== undefined) fs.tls = this.tls(value.tls);
    if (value.endedDateTime !== undefined) {
      const ended = typeof value.endedDateTime === 'string' ? Date.parse(value.endedDateTime) : NaN;
      if (Number.isNaN(ended)) this.problem('_framescope.endedDateTime', `${bad(value.endedDateTime, 'an ISO date')}; ignored`);
      else fs.endedAt = ended;
    }
    for (const key of Object.keys(fs) as (keyof FramescopeFields)[]) if (fs[key] === undefined) delete fs[key];
    return fs;
  }

  private checks(value: unknown): RecordedCheck[] | undefined {
    if (value === undefined) return undefined;
    if (!Array.isArray(value)) {
      this.problem('_framescope.checks', 'not an array; checks computed from the headers');
      return undefined;
    }
    const checks: RecordedCheck[] = [];
    value.forEach((c: unknown, i) => {
      if (isObject(c) && typeof c.id === 'string' && typeof c.ok === 'boolean' && typeof c.message === 'string' && typeof c.rfc === 'string') {
        checks.push({ id: c.id, ok: c.ok, message: c.message, rfc: c.rfc });
      } else {
        this.problem(`_framescope.checks[${i}]`, 'not a check (id, ok, message, rfc); skipped');
      }
    });
    return checks;
  }

  private tls(value: unknown): UpstreamTls | undefined {
    if (!isObject(value) || typeof value.verified !== 'boolean' || typeof value.insecure !== 'boolean') {
      this.problem('_framescope.tls', 'not TLS facts (verified, insecure); ignored');
      return undefined;
    }
    const tls: UpstreamTls = { verified: value.verified, insecure: value.insecure };
    if (typeof value.error === 'string') tls.error = value.error;
    return tls;
  }

  /** serverIPAddress (and Playwright's _serverPort) as "address:port", IPv6 in brackets. */
  private serverAddress(ip: unknown, port: unknown): string | undefined {
    if (typeof ip !== 'string' || ip === '') return undefined;
    const bare = ip.replace(/^\[|\]$/g, '');
    const host = bare.includes(':') ? `[${bare}]` : bare;
    return isInteger(port) && port > 0 ? `${host}:${port}` : host;
  }

  /**
   * Rebuilds what ties frames to messages (see the top of the file). Each direction's frames are grouped
   * into messages as the assembler does; when the groups do not match that direction's messages, the
   * messages stay unlinked.
   */
  private linkFrames(record: ConnectionRecord, deflate: boolean): void {
    for (const direction of ['send', 'receive'] as const) {
      const frames = record.frames.filter((f) => f.direction === direction);
      const messages = record.messages.filter((m) => m.direction === direction);
      const groups = groupIntoMessages(frames);
      const matches = groups.length === messages.length && groups.every((g, k) => g.frames[0]!.frame.opcode === messages[k]!.message.opcode);
      if (!matches) {
        this.problem('_webSocketFrames', `the ${direction} frames carry ${groups.length} data messages but _webSocketMessages has ${messages.length} ${direction} messages (or their opcodes differ); messages are not linked to frames`);
        continue;
      }
      groups.forEach((group, k) => restoreMessage(messages[k]!.message, group, deflate));
    }
  }
}

/** The `_framescope` fields that import restores. */
interface FramescopeFields {
  /** ConnectionRecord.state. */
  state?: ConnectionState;
  /** ConnectionRecord.clientAddress. */
  clientAddress?: string;
  /** ConnectionRecord.serverAddress. */
  serverAddress?: string;
  /** RecordedRequest.target. */
  requestTarget?: string;
  /** ConnectionRecord.checks. */
  checks?: RecordedCheck[];
  /** ConnectionRecord.protocol. */
  protocol?: string;
  /** ConnectionRecord.extensions. */
  extensions?: string;
  /** ConnectionRecord.tls. */
  tls?: UpstreamTls;
  /** ConnectionRecord.endedAt, from endedDateTime. */
  endedAt?: number;
}

/** The frames of one data message, as the message assembler groups them. */
interface FrameGroup {
  /** Its frames, first to last. */
  frames: CapturedFrame[];
  /** It ended without its final frame (interleaved, closed or cut short): 'unfinished-message'. */
  abandoned: boolean;
}

/** Groups one direction's frames into data messages in the order the assembler emits them (RFC 6455 §5.4). */
function groupIntoMessages(frames: CapturedFrame[]): FrameGroup[] {
  const groups: FrameGroup[] = [];
  let pending: FrameGroup | null = null;
  for (const captured of frames) {
    const { opcode, fin, violations } = captured.frame;
    let target: FrameGroup | null = null;
    if (opcode === Opcode.Continuation) {
      if (pending) {
        pending.frames.push(captured);
        target = pending;
      }
    } else if (opcode === Opcode.Text || opcode === Opcode.Binary) {
      if (pending) {
        pending.abandoned = true;
        groups.push(pending);
      }
      pending = target = { frames: [captured], abandoned: false };
    } else if (opcode === Opcode.Close && pending) {
      pending.abandoned = true;
      groups.push(pending);
      pending = null;
    }
    // A frame cut short by the end of the stream never completes its message.
    if (target && fin && !violations.includes('truncated-frame')) {
      groups.push(target);
      pending = null;
    }
  }
  if (pending) {
    pending.abandoned = true;
    groups.push(pending);
  }
  return groups;
}

/** Fills in a message's frame links and, when the message determines them, its frames' payloads. */
function restoreMessage(message: Message, group: FrameGroup, deflate: boolean): void {
  const frames = group.frames.map((f) => f.frame);
  message.frameIndexes = frames.map((f) => f.index);
  // RFC 7692 §6: RSV1 on the first frame marks the message compressed (when the extension is on).
  message.compressed = frames[0]!.rsv1 && deflate;
  const violations: ViolationCode[] = [];
  for (const frame of frames) {
    for (const code of frame.violations) if (MESSAGE_VIOLATIONS.has(code) && !violations.includes(code)) violations.push(code);
  }
  if (group.abandoned) violations.push('unfinished-message');
  message.violations = violations;
  const wireLength = frames.reduce((sum, f) => sum + f.payloadLength, 0);
  if (message.truncated && !message.compressed) message.size = wireLength;
  const whole = !message.compressed && !message.truncated && !violations.includes('invalid-utf8') &&
    wireLength === message.data.length && frames.every((f) => !f.violations.includes('truncated-frame'));
  if (!whole) return;
  let at = 0;
  for (const frame of frames) {
    frame.payload = Buffer.from(message.data.subarray(at, at + frame.payloadLength));
    frame.truncated = false;
    at += frame.payloadLength;
  }
}

/** A Frame from its HAR fields; the payload is known only when empty or a close frame's. */
function frameFromFields(fields: HarFrameFields, index: number, offset: number): Frame {
  const violations = fields.violations ?? [];
  const lengthForm = lengthFormOf(fields.payloadLength, violations);
  const headerLength = 2 + (lengthForm === 16 ? 2 : lengthForm === 64 ? 8 : 0) + (fields.masked ? 4 : 0);
  const payload = knownPayload(fields, violations);
  const frame: Frame = {
    fin: fields.fin, rsv1: fields.rsv1, rsv2: fields.rsv2, rsv3: fields.rsv3, opcode: fields.opcode, masked: fields.masked,
    payloadLength: fields.payloadLength, lengthForm, headerLength, index, offset, payload,
    truncated: payload.length < fields.payloadLength, violations,
  };
  if (fields.maskKey !== undefined) frame.maskKey = Buffer.from(fields.maskKey, 'hex');
  if (fields.closeCode !== undefined) frame.closeCode = fields.closeCode;
  if (fields.closeReason !== undefined) frame.closeReason = fields.closeReason;
  return frame;
}

/** The length form: minimal unless the frame broke that rule (RFC 6455 §5.2), in which case the HAR does not say which. */
function lengthFormOf(length: number, violations: readonly ViolationCode[]): LengthForm {
  const minimal = minimalLengthForm(length);
  if (violations.includes('length-top-bit-set')) return 64;
  if (!violations.includes('non-minimal-length')) return minimal;
  return minimal === 7 ? 16 : 64;
}

function knownPayload(fields: HarFrameFields, violations: readonly ViolationCode[]): Buffer {
  if (fields.payloadLength === 0) return EMPTY;
  // RFC 6455 §5.5.1: a close payload is the 2-byte code and the UTF-8 reason.
  if (fields.opcode === Opcode.Close && fields.closeCode !== undefined && !violations.includes('invalid-utf8-close-reason')) {
    const payload = encodeClosePayload(fields.closeCode, fields.closeReason ?? '');
    if (payload.length === fields.payloadLength) return payload;
  }
  return EMPTY;
}

/** Gives each item whose time was not readable the time of the item before it (or the connection's start). */
function fillTimes(items: { time: number }[], startedAt: number): void {
  let previous = startedAt;
  for (const item of items) {
    if (Number.isNaN(item.time)) item.time = previous;
    previous = item.time;
  }
}

/**
 * When the request and the response heads arrived. The exporter writes startedDateTime, time (to the end,
 * or to the response while the connection has no end) and timings.wait (response minus request).
 */
function handshakeTimes(e: Json, startedAt: number, answered: boolean, fs: FramescopeFields | undefined): { request: number; response: number } {
  const timings = isObject(e.timings) ? e.timings : {};
  const positive = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : 0);
  if (!answered) return { request: startedAt, response: startedAt };
  if (fs) {
    const wait = positive(timings.wait);
    if (fs.endedAt === undefined && typeof e.time === 'number' && Number.isFinite(e.time)) {
      const response = startedAt + e.time;
      return { request: response - wait, response };
    }
    return { request: startedAt, response: startedAt + wait };
  }
  // HAR 1.2: ssl is included in connect; the answer comes after blocked, dns, connect, send and wait.
  const before = ['blocked', 'dns', 'connect', 'send', 'wait'].reduce((sum, k) => sum + positive(timings[k]), 0);
  return { request: startedAt, response: startedAt + before };
}

/** Checks, subprotocol and extensions from the handshake heads, as the proxy computes them. */
function computedHandshake(request: RecordedRequest, response: RecordedResponse | undefined): { checks: RecordedCheck[]; protocol?: string; extensions?: string } {
  const handshakeRequest = { method: request.method, url: request.target, httpVersion: request.httpVersion, rawHeaders: request.rawHeaders };
  // A tool that wrote no request headers (Playwright, for a socket that never connected) leaves nothing to check.
  const checks: RecordedCheck[] = request.rawHeaders.length === 0 ? [] : checkUpgradeRequest(handshakeRequest).checks.map((c) => ({ ...c }));
  if (!response) return { checks };
  const summary = checkUpgradeResponse(handshakeRequest, {
    statusCode: response.statusCode, statusMessage: response.statusMessage, httpVersion: response.httpVersion, rawHeaders: response.rawHeaders,
  });
  checks.push(...summary.checks.map((c) => ({ ...c })));
  const result: { checks: RecordedCheck[]; protocol?: string; extensions?: string } = { checks };
  if (summary.protocol !== undefined) result.protocol = summary.protocol;
  const extensions = headerValues(response.rawHeaders, 'sec-websocket-extensions');
  if (extensions.length > 0) result.extensions = extensions.join(', ');
  return result;
}

/** What failed, as other tools write it: Chrome's response._error, Playwright's _failureText, mitmproxy's _error. */
function foreignError(e: Json, response: RecordedResponse | undefined, browserErrors: string[]): string | undefined {
  const res = isObject(e.response) ? e.response : {};
  const written = stringValue(e._error) ?? stringValue(res._error) ?? stringValue(res._failureText) ?? browserErrors.find((t) => t !== '');
  if (written !== undefined) return written;
  // The proxy's own words for a refused handshake.
  if (response && response.statusCode !== 101) return `the server answered the handshake with ${response.statusCode} ${response.statusMessage}`.trimEnd();
  return undefined;
}

function detectFormat(log: Json, entries: unknown[]): HarFormat {
  const creator = isObject(log.creator) && typeof log.creator.name === 'string' ? log.creator.name : '';
  if (/^framescope$/i.test(creator)) return 'framescope';
  if (creator === 'WebInspector') return 'chrome';
  if (/^http ?toolkit$/i.test(creator)) return 'httptoolkit';
  if (/mitmproxy/i.test(creator)) return 'mitmproxy';
  if (/^playwright$/i.test(creator)) return 'playwright';
  if (entries.some((e) => isObject(e) && (e._framescope !== undefined || e._webSocketFrames !== undefined))) return 'framescope';
  return 'unknown';
}

/** `_resourceType: "websocket"`, `_webSocketMessages`, a 101 with Upgrade: websocket, or a request asking for one. */
function isWebSocketEntry(e: Json): boolean {
  if (typeof e._resourceType === 'string' && e._resourceType.toLowerCase() === 'websocket') return true;
  if (e._webSocketMessages !== undefined) return true;
  if (isObject(e.response) && e.response.status === 101 && namesWebSocket(e.response.headers)) return true;
  return isObject(e.request) && namesWebSocket(e.request.headers);
}

/** True when HAR headers have an Upgrade header whose list names websocket. */
function namesWebSocket(headers: unknown): boolean {
  if (!Array.isArray(headers)) return false;
  return headers.some((h: unknown) => isObject(h) && typeof h.name === 'string' && h.name.toLowerCase() === 'upgrade' &&
    typeof h.value === 'string' && h.value.split(',').some((t) => t.trim().toLowerCase() === 'websocket'));
}

function originForm(url: URL): string {
  return `${url.pathname || '/'}${url.search}`;
}

function violationList(value: unknown, field: string, report: (field: string, message: string) => void): ViolationCode[] {
  if (!Array.isArray(value)) {
    report(field, 'not an array; no violations read');
    return [];
  }
  const codes: ViolationCode[] = [];
  value.forEach((code: unknown, i) => {
    if (typeof code === 'string' && Object.hasOwn(VIOLATIONS, code)) codes.push(code as ViolationCode);
    else report(`${field}[${i}]`, `${bad(code, 'a known violation code')}; left out`);
  });
  return codes;
}

/** Standard base64, padding optional (Buffer.from would silently skip anything else). */
function isBase64(text: string): boolean {
  return /^[A-Za-z0-9+/]*={0,2}$/.test(text) && text.length % 4 !== 1 && (!text.includes('=') || text.length % 4 === 0);
}

function stringValue(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value);
}

/** A bad value, shown briefly in a problem. */
function describe(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/** What is wrong with a value that should be `what`: "missing", or e.g. `"abc" is not a time`. */
function bad(value: unknown, what: string): string {
  return value === undefined ? 'missing' : `${describe(value)} is not ${what}`;
}

// --- Reading a HAR that is cut short -------------------------------------------------------------------

/** The end of the last complete JSON value before a break, and what closes the containers still open there. */
interface CutPoint {
  /** Offset just past the value. */
  end: number;
  /** The closing brackets of the open containers, innermost first. */
  closers: string;
  /** The keys (and array indexes) of the open containers below the root, outermost first. */
  path: (string | number)[];
}

/** A container open at the scan position. */
interface OpenContainer {
  /** Its closing bracket. */
  closer: '}' | ']';
  /** Its key (or index) in the container around it. */
  key: string | number;
  /** Values completed in it so far (an array's next index). */
  count: number;
  /** In an object, the next string is a key. */
  expectKey: boolean;
  /** In an object, the key of the value being read. */
  pendingKey: string;
}

/**
 * JSON.parse, and for a file that breaks off (a capture killed while writing, a partial download) the
 * longest readable prefix: everything up to the last complete value, with the open containers closed.
 */
function parseHarJson(text: string, problems: HarImportProblem[]): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const reason = (error as Error).message;
    const position = /position (\d+)/.exec(reason);
    const cut = lastCompleteValue(text, position ? Number(position[1]) : text.length);
    if (cut) {
      try {
        const value: unknown = JSON.parse(text.slice(0, cut.end) + cut.closers);
        problems.push(cutProblem(cut, reason));
        return value;
      } catch {
        // Broken somewhere the scan did not see: nothing can be trusted.
      }
    }
    throw new HarImportError(`not JSON: ${reason}`);
  }
}

function cutProblem(cut: CutPoint, reason: string): HarImportProblem {
  const [log, entries, entry, ...rest] = cut.path;
  if (log === 'log' && entries === 'entries' && typeof entry === 'number') {
    return { entry, field: formatPath(rest), message: `the file breaks off here (${reason}); this entry is imported as far as it goes` };
  }
  return { entry: -1, field: formatPath(cut.path), message: `the file breaks off after character ${cut.end} (${reason}); what came before is imported` };
}

function formatPath(path: (string | number)[]): string {
  return path.map((key, i) => (typeof key === 'number' ? `[${key}]` : i === 0 ? key : `.${key}`)).join('');
}

/** Scans text[0, limit) for the last complete value (RFC 8259 syntax, not validated: JSON.parse does that). */
function lastCompleteValue(text: string, limit: number): CutPoint | undefined {
  const stack: OpenContainer[] = [];
  let cut: CutPoint | undefined;
  const completed = (end: number) => {
    const top = stack.at(-1);
    if (top) top.count += 1;
    cut = { end, closers: stack.map((s) => s.closer).reverse().join(''), path: stack.slice(1).map((s) => s.key) };
  };
  let i = 0;
  while (i < limit) {
    const ch = text[i]!;
    const top = stack.at(-1);
    if (ch === ' ' || ch === '\n' || ch === '\r' || ch === '\t' || ch === ':') {
      i += 1;
    } else if (ch === ',') {
      if (top?.closer === '}') top.expectKey = true;
      i += 1;
    } else if (ch === '{' || ch === '[') {
      const key = !top ? '' : top.closer === ']' ? top.count : top.pendingKey;
      stack.push({ closer: ch === '{' ? '}' : ']', key, count: 0, expectKey: ch === '{', pendingKey: '' });
      i += 1;
    } else if (ch === '}' || ch === ']') {
      if (!top) break;
      stack.pop();
      completed(i + 1);
      i += 1;
    } else if (ch === '"') {
      let j = i + 1;
      while (j < limit && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (j >= limit) break;
      if (top?.closer === '}' && top.expectKey) {
        try {
          top.pendingKey = JSON.parse(text.slice(i, j + 1)) as string;
        } catch {
          break;
        }
        top.expectKey = false;
      } else {
        completed(j + 1);
      }
      i = j + 1;
    } else {
      // A number or literal is complete only when something after it shows where it ends.
      let j = i;
      while (j < limit && !/[\s,\]}]/.test(text[j]!)) j += 1;
      if (j >= limit) break;
      completed(j);
      i = j;
    }
  }
  return cut;
}
