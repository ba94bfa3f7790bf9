// Encoding STOMP frames for the composer (STOMP 1.2 §"STOMP Frames"): headers escaped from 1.1 on, a
// content-length always (so a body may hold NUL), the NUL terminator.
import { escapeHeader } from './stomp-frame.js';

const utf8 = new TextEncoder();

export interface StompFrameSpec {
  command: string;
  /** In order; pairs allow a repeated header. */
  headers?: [string, string][] | Record<string, string>;
  body?: string | Uint8Array;
  /** '1.0', '1.1' or '1.2' (the default); 1.0 escapes nothing. */
  version?: string;
}

export function encodeStompFrame(spec: StompFrameSpec): Uint8Array {
  const body = typeof spec.body === 'string' ? utf8.encode(spec.body) : spec.body ?? new Uint8Array(0);
  const headers = Array.isArray(spec.headers) ? [...spec.headers] : Object.entries(spec.headers ?? {});
  if (body.length > 0 && !headers.some(([name]) => name === 'content-length')) headers.push(['content-length', String(body.length)]);
  const escaping = spec.version !== '1.0' && spec.command !== 'CONNECT' && spec.command !== 'CONNECTED';
  const head = [spec.command, ...headers.map(([n, v]) => (escaping ? `${escapeHeader(n)}:${escapeHeader(v)}` : `${n}:${v}`)), '', ''].join('\n');
  const headBytes = utf8.encode(head);
  const out = new Uint8Array(headBytes.length + body.length + 1);
  out.set(headBytes, 0);
  out.set(body, headBytes.length);
  return out;
}

export interface StompSendSpec {
  destination: string;
  body: string | Uint8Array;
  headers?: Record<string, string>;
  /** Asks the server for a RECEIPT. */
  receipt?: string;
  version?: string;
}

export function encodeStompSend(spec: StompSendSpec): Uint8Array {
  const headers: [string, string][] = [['destination', spec.destination], ...Object.entries(spec.headers ?? {})];
  if (spec.receipt !== undefined) headers.push(['receipt', spec.receipt]);
  return encodeStompFrame({ command: 'SEND', headers, body: spec.body, version: spec.version });
}
