// What a "Copy as" snippet is made from: a connection's handshake and the messages it carried, as
// plain data (no store, no sockets), so the generators are pure and run in the UI as well as in Node.

/** One data message. */
export interface SnippetMessage {
  /** send: client to server; receive: server to client. */
  direction: 'send' | 'receive';
  /** 1 text, 2 binary. */
  opcode: number;
  /** The content (reassembled, decompressed), exactly. */
  data: Uint8Array;
  /** Epoch ms. */
  time: number;
  /** Made by Framescope, not by the peer it seems to come from. */
  injected?: boolean;
  /** Changed by Framescope before it was forwarded: the data is what was sent on. */
  edited?: boolean;
  /** Not forwarded (dropped at a breakpoint): the other peer never got it. */
  dropped?: boolean;
}

/** The connection a snippet opens again. */
export interface SnippetConnection {
  /** ws:// or wss:// URL. */
  url: string;
  /** The client's request headers as on the wire: name, value, name, value... */
  rawHeaders: string[];
  /** How the connection ended, when it did. */
  close?: { code: number; reason: string; closedBy: 'client' | 'server' };
}

/** Request headers the client library writes itself (the handshake), never copied into a snippet. */
const HANDSHAKE_HEADERS = new Set([
  'host', 'connection', 'upgrade', 'sec-websocket-key', 'sec-websocket-version', 'sec-websocket-extensions',
  'sec-websocket-protocol', 'content-length', 'transfer-encoding', 'proxy-connection', 'proxy-authorization', 'keep-alive',
]);

/** The headers a snippet sends as they were (Origin, Cookie, Authorization, User-Agent, custom ones). */
export function copiedHeaders(rawHeaders: readonly string[]): [string, string][] {
  const headers: [string, string][] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    if (!HANDSHAKE_HEADERS.has(rawHeaders[i]!.toLowerCase())) headers.push([rawHeaders[i]!, rawHeaders[i + 1]!]);
  }
  return headers;
}

/** The subprotocols the client offered. */
export function offeredProtocols(rawHeaders: readonly string[]): string[] {
  const protocols: string[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    if (rawHeaders[i]!.toLowerCase() === 'sec-websocket-protocol') {
      protocols.push(...rawHeaders[i + 1]!.split(',').map((p) => p.trim()).filter((p) => p !== ''));
    }
  }
  return protocols;
}

/** Whether the client offered permessage-deflate (snippets offer it only then). */
export function offeredCompression(rawHeaders: readonly string[]): boolean {
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    if (rawHeaders[i]!.toLowerCase() === 'sec-websocket-extensions' && /(^|,)\s*permessage-deflate\b/i.test(rawHeaders[i + 1]!)) return true;
  }
  return false;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The message as text when it is a text message whose bytes are valid UTF-8; undefined otherwise. */
export function messageText(message: Pick<SnippetMessage, 'opcode' | 'data'>): string | undefined {
  if (message.opcode !== 1) return undefined;
  try {
    return strictUtf8.decode(message.data);
  } catch {
    return undefined;
  }
}

export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/**
 * What the server received, in order: the client's messages that were forwarded (dropped ones never
 * reached it; injected ones did), and between them how many messages the server had sent by then
 * (messages Framescope injected toward the client are not the server's).
 */
export function conversation(messages: readonly SnippetMessage[]): { sends: { message: SnippetMessage; answersBefore: number }[]; answers: number } {
  const sends: { message: SnippetMessage; answersBefore: number }[] = [];
  let answers = 0;
  for (const message of messages) {
    if (message.direction === 'send') {
      if (!message.dropped) sends.push({ message, answersBefore: answers });
    } else if (!message.injected) {
      answers++;
    }
  }
  return { sends, answers };
}

/** Close codes a client may put in a Close frame (RFC 6455 section 7.4; 1004-1006 and 1015 are reserved). */
export function sendableCloseCode(code: number): boolean {
  return (code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) || (code >= 3000 && code <= 4999);
}

/** The close a client script sends at the end: the client's own when it closed with a sendable code. */
export function clientClose(connection: SnippetConnection): { code: number; reason: string } {
  const close = connection.close;
  if (close && close.closedBy === 'client' && sendableCloseCode(close.code)) return { code: close.code, reason: close.reason };
  return { code: 1000, reason: '' };
}
