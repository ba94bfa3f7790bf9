// One HAR entry into a ConnectionRecord (see ../har-import.ts for what comes back from which tool).
import type { LensName } from '../../protocol/lenses/lens.js';
import type {
  ConnectionRecord, ConnectionState, RecordedCheck, RecordedClose,
  RecordedRequest, RecordedResponse, UpstreamTls,
} from '../capture-model.js';
import { negotiatedDeflate } from '../../protocol/permessage-deflate.js';
import { FrameLinks } from './frame-links.js';
import type { FramescopeFields } from './framescope-fields.js';
import { fillTimeArray, harTimeToMs } from './har-time.js';
import { noteField } from './item-fields.js';
import { scanFrames } from './spooled-frames.js';
import { scanMessages, type SpooledMessages } from './spooled-messages.js';
import { computedHandshake, foreignError, handshakeTimes, originForm } from './handshake-fields.js';
import { bad, describe, isBase64, isInteger, isObject, stringValue } from './json-values.js';
import type { Json } from './json-values.js';
import type { HarImportProblem } from './problems.js';

/**
 * The items of a record read from a HAR, which wait in the spool (record.frames and record.messages are
 * empty): its messages, and its frames with what ties them to the messages; read one at a time when written.
 */
export interface SpooledBytes {
  spooled?: SpooledMessages;
  /** A record with frames: them, and each message's frames and each frame's payload where its message determines it. */
  linked?: FrameLinks;
  /** The lens its messages' `_protocol` fields name (the connection was read through it). */
  lens?: LensName;
}

const STATES: readonly ConnectionState[] = ['connecting', 'open', 'closing', 'closed', 'failed'];

/** Reads one HAR entry into a record, reporting what it skips or repairs under the entry's index. */
export class EntryReader {
  /** Where the record's message data and frame payloads are, once read. */
  readonly data: SpooledBytes = {};

  constructor(private readonly index: number, private readonly problems: HarImportProblem[]) {}

  private problem(field: string, message: string): void {
    this.problems.push({ entry: this.index, field, message });
  }

  private readonly report = (field: string, message: string): void => this.problem(field, message);

  read(e: Json, id: number): ConnectionRecord | undefined {
    if (!isObject(e.request)) {
      this.problem('request', 'missing or not an object; entry skipped');
      return undefined;
    }
    const request = e.request;
    const url = this.url(request.url);
    if (url === undefined) return undefined;
    const fs = this.framescope(e._framescope);
    const messageList = scanMessages(e._webSocketMessages, this.report);
    const frameList = scanFrames(e._webSocketFrames, this.report);
    const frames = frameList.frames;
    const startedAt = this.startedAt(e.startedDateTime, Math.min(messageList.first, frameList.first));
    fillTimeArray(messageList.messages.times, startedAt);
    fillTimeArray(frames.times, startedAt);
    this.data.spooled = messageList.messages;
    if (messageList.lens) this.data.lens = messageList.lens;

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
      // An edited handshake: the entry's request is what went upstream, the client's is in _framescope.
      request: fs?.originalRequest ? { ...recordedRequest, ...fs.originalRequest } : recordedRequest,
      ...(fs?.originalRequest ? { editedRequest: recordedRequest } : {}),
      checks: fs?.checks ?? derived.checks,
      frames: [],
      messages: [],
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
    const note = noteField(e._notes, '_notes', this.report);
    if (note) record.note = note;
    // Other tools seldom say when a WebSocket ended: its last message (or its start) stands in, so a
    // finished connection still has a duration.
    // (A message without a readable time took an earlier one's, or the start.)
    const lastMessage = Math.max(record.startedAt, messageList.last);
    const endedAt = fs ? fs.endedAt : closedAt ?? (record.state === 'closed' || record.state === 'failed' ? lastMessage : undefined);
    if (endedAt !== undefined) record.endedAt = endedAt;

    if (frames.count > 0) {
      // Rebuilds what ties frames to messages: each direction's frames are grouped into messages as the
      // assembler does; when the groups do not match that direction's messages, the messages stay unlinked.
      const deflate = negotiatedDeflate(record.extensions).params !== null;
      this.data.linked = new FrameLinks(frames, messageList.messages, deflate);
      this.data.linked.link(this.report);
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

  /** The entry's start; else its first message or frame (first: the earliest message or frame time). */
  private startedAt(value: unknown, first: number): number {
    const parsed = typeof value === 'string' ? Date.parse(value) : NaN;
    if (!Number.isNaN(parsed)) return parsed;
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
    if (value.edited === true && isObject(value.originalRequest) && typeof value.originalRequest.target === 'string') {
      fs.originalRequest = { target: value.originalRequest.target, rawHeaders: this.headers(value.originalRequest.headers, '_framescope.originalRequest.headers') };
    }
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
}
