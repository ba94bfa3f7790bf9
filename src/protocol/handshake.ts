// The opening handshake (RFC 6455 §4): what a WebSocket client must send and what a server must
// answer, checked item by item so the inspector can show a checklist. Like the frame codec, this
// reports and never fixes: every check is computed on the handshake as it crossed the wire.
import { createHash, randomBytes } from 'node:crypto';
import { parseExtensions, parseProtocols } from './extension-header.js';
import type { ExtensionOffer } from './extension-header.js';
import { headerValues } from './http-head.js';
import type { HttpHead } from './http-head.js';

/** An Upgrade request, shaped like Node's `http.IncomingMessage` so the proxy can pass one directly. */
export interface HandshakeRequest {
  /** The request method, e.g. "GET". */
  method: string;
  /** The request target, e.g. "/chat?room=1". */
  url: string;
  /** The HTTP version without "HTTP/", e.g. "1.1". */
  httpVersion: string;
  /** Header fields as [name, value, ...] in wire order, duplicates kept. */
  rawHeaders: string[];
}

/** The server's answer, shaped like Node's `http.IncomingMessage` for a response. */
export interface HandshakeResponse {
  /** The status code, e.g. 101. */
  statusCode: number;
  /** The reason phrase, e.g. "Switching Protocols". */
  statusMessage?: string;
  /** The HTTP version without "HTTP/", e.g. "1.1". */
  httpVersion: string;
  /** Header fields as [name, value, ...] in wire order, duplicates kept. */
  rawHeaders: string[];
}

/** One item of the handshake checklist. */
export interface HandshakeCheck {
  /** Stable kebab-case id from HANDSHAKE_CHECKS, e.g. "accept-matches". */
  id: HandshakeCheckId;
  /** True when the handshake meets this requirement. */
  ok: boolean;
  /** One line: what was expected and what was found. */
  message: string;
  /** The RFC section that states the requirement, e.g. "RFC 6455 §4.1". */
  rfc: string;
}

/** What a request asks for, and how well it follows RFC 6455 §4.1. */
export interface RequestSummary {
  /** Every request check, in HANDSHAKE_CHECKS order, passed or failed. */
  checks: HandshakeCheck[];
  /** The Sec-WebSocket-Key value, when the header was sent exactly once. */
  key?: string;
  /** The Sec-WebSocket-Version value as sent (several header lines joined with ", "), when sent. */
  version?: string;
  /** The subprotocols offered, in order (the well-formed ones). */
  protocols: string[];
  /** The extensions offered, in order (the well-formed ones). */
  extensions: ExtensionOffer[];
  /** True when the request asks to switch to WebSocket (its Upgrade list names "websocket"). */
  isUpgrade: boolean;
}

/** How the server answered, and whether a conforming client would accept it. */
export interface ResponseSummary {
  /**
   * The response checks, in HANDSHAKE_CHECKS order. For a status other than 101 only "status-101"
   * is present: the other requirements apply to a 101 answer alone, so they are left out rather
   * than failed.
   */
  checks: HandshakeCheck[];
  /** The status code. */
  status: number;
  /** True when the status is 101 and every response check passes: the connection is a WebSocket. */
  accepted: boolean;
  /** computeAccept of the request's key, when the request sent exactly one key. */
  expectedAccept?: string;
  /** The Sec-WebSocket-Accept value as sent (several joined with ", "); 101 answers only. */
  accept?: string;
  /** The subprotocol the server chose, when a 101 answer named one. */
  protocol?: string;
  /** The extensions a 101 answer accepted, in order (the well-formed ones); empty otherwise. */
  extensions: ExtensionOffer[];
}

/** The catalogue entry of a check. */
export interface HandshakeCheckInfo {
  /** Which message the check reads. */
  side: 'request' | 'response';
  /** The requirement, in one line. */
  description: string;
  /** The RFC section that states it. */
  rfc: string;
}

/**
 * The stable catalogue of handshake checks, in the order summaries list them. The UI, the HAR and
 * the tests use these ids; never rename one.
 */
export const HANDSHAKE_CHECKS = {
  'method-is-get': {
    side: 'request', description: 'The request method is GET.', rfc: 'RFC 6455 §4.1',
  },
  'http-version-1-1': {
    side: 'request', description: 'The request is HTTP/1.1 or later.', rfc: 'RFC 6455 §4.1',
  },
  'host-present': {
    side: 'request', description: 'The request has exactly one Host header.', rfc: 'RFC 6455 §4.1, RFC 7230 §5.4',
  },
  'request-upgrade-websocket': {
    side: 'request', description: 'The request\'s Upgrade header lists "websocket".', rfc: 'RFC 6455 §4.1',
  },
  'request-connection-upgrade': {
    side: 'request', description: 'The request\'s Connection header lists "Upgrade".', rfc: 'RFC 6455 §4.1',
  },
  'key-valid': {
    side: 'request', description: 'Sec-WebSocket-Key is sent once and is the base64 encoding of 16 bytes.', rfc: 'RFC 6455 §4.1',
  },
  'version-13': {
    side: 'request', description: 'Sec-WebSocket-Version is 13.', rfc: 'RFC 6455 §4.1',
  },
  'protocols-well-formed': {
    side: 'request', description: 'Sec-WebSocket-Protocol, when sent, is a list of distinct tokens.', rfc: 'RFC 6455 §4.1, §11.3.4',
  },
  'extensions-well-formed': {
    side: 'request', description: 'Sec-WebSocket-Extensions, when sent, follows the extension-list grammar.', rfc: 'RFC 6455 §9.1',
  },
  'status-101': {
    side: 'response', description: 'The server answers 101 Switching Protocols.', rfc: 'RFC 6455 §4.1',
  },
  'response-upgrade-websocket': {
    side: 'response', description: 'The response\'s Upgrade header is "websocket" (any case) and nothing else.', rfc: 'RFC 6455 §4.1',
  },
  'response-connection-upgrade': {
    side: 'response', description: 'The response\'s Connection header lists "Upgrade".', rfc: 'RFC 6455 §4.1',
  },
  'accept-matches': {
    side: 'response', description: 'Sec-WebSocket-Accept is sent once and equals base64(SHA-1(key + GUID)).', rfc: 'RFC 6455 §4.1, §4.2.2',
  },
  'protocol-offered': {
    side: 'response', description: 'The chosen subprotocol, if any, is a single value the client offered.', rfc: 'RFC 6455 §4.1',
  },
  'extensions-offered': {
    side: 'response', description: 'Each accepted extension is well formed, was offered by the client, and appears once.', rfc: 'RFC 6455 §4.1, §9.1',
  },
} as const satisfies Record<string, HandshakeCheckInfo>;

export type HandshakeCheckId = keyof typeof HANDSHAKE_CHECKS;

export const HANDSHAKE_CHECK_IDS = Object.keys(HANDSHAKE_CHECKS) as HandshakeCheckId[];

/** The GUID that RFC 6455 §1.3 appends to the key before hashing. */
export const WEBSOCKET_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

// 16 bytes in base64 are 22 characters and "==" (RFC 4648 §4); ws checks the same.
const KEY_PATTERN = /^[+/0-9A-Za-z]{22}==$/;

/** The Sec-WebSocket-Accept value for a key (RFC 6455 §4.2.2 step 5.4). */
export function computeAccept(key: string): string {
  return createHash('sha1').update(key + WEBSOCKET_GUID).digest('base64');
}

/** A fresh Sec-WebSocket-Key: 16 random bytes in base64 (RFC 6455 §4.1). */
export function generateKey(): string {
  return randomBytes(16).toString('base64');
}

/** Checks a client's opening handshake against RFC 6455 §4.1. */
export function checkUpgradeRequest(req: HandshakeRequest): RequestSummary {
  const headers = req.rawHeaders;
  const checks: HandshakeCheck[] = [];

  const methodOk = req.method === 'GET';
  checks.push(check('method-is-get', methodOk, methodOk ? 'method is GET' : `expected method GET, found ${quote(req.method)}`));

  const versionOk = isAtLeastHttp11(req.httpVersion);
  checks.push(check('http-version-1-1', versionOk, versionOk
    ? `HTTP/${req.httpVersion}`
    : `expected HTTP/1.1 or later, found HTTP/${req.httpVersion}`));

  const hosts = headerValues(headers, 'host');
  checks.push(check('host-present', hosts.length === 1, hosts.length === 1
    ? `Host is ${quote(hosts[0])}`
    : `expected one Host header, found ${hosts.length === 0 ? 'none' : `${hosts.length}: ${hosts.map(quote).join(', ')}`}`));

  const upgrade = headerValues(headers, 'upgrade');
  const isUpgrade = tokenList(upgrade).some((t) => t.toLowerCase() === 'websocket');
  checks.push(check('request-upgrade-websocket', isUpgrade, isUpgrade
    ? `Upgrade is ${quoteAll(upgrade)}`
    : `expected "websocket" in Upgrade, found ${quoteAll(upgrade)}`));

  const connection = headerValues(headers, 'connection');
  const connectionOk = listsUpgrade(connection);
  checks.push(check('request-connection-upgrade', connectionOk, connectionOk
    ? `Connection is ${quoteAll(connection)}`
    : `expected "Upgrade" in Connection, found ${quoteAll(connection)}`));

  const keys = headerValues(headers, 'sec-websocket-key');
  const key = keys.length === 1 ? keys[0] : undefined;
  checks.push(checkKey(keys));

  const versions = headerValues(headers, 'sec-websocket-version');
  const version = versions.length > 0 ? versions.join(', ') : undefined;
  const version13 = versions.length === 1 && versions[0] === '13';
  checks.push(check('version-13', version13, version13
    ? 'Sec-WebSocket-Version is 13'
    : `expected Sec-WebSocket-Version 13, found ${quoteAll(versions)}`));

  const protocolValues = headerValues(headers, 'sec-websocket-protocol');
  const protocols = parseProtocols(protocolValues);
  const protocolProblems = [...protocols.problems];
  const repeated = protocols.items.filter((p, i) => protocols.items.indexOf(p) !== i);
  if (repeated.length > 0) protocolProblems.push(`offered more than once: ${[...new Set(repeated)].join(', ')}`);
  checks.push(check('protocols-well-formed', protocolProblems.length === 0, protocolProblems.length > 0
    ? `expected distinct subprotocol tokens, found ${quoteAll(protocolValues)}: ${protocolProblems.join('; ')}`
    : protocolValues.length === 0 ? 'no subprotocol offered' : `offers ${protocols.items.join(', ')}`));

  const extensionValues = headerValues(headers, 'sec-websocket-extensions');
  const extensions = parseExtensions(extensionValues);
  checks.push(check('extensions-well-formed', extensions.problems.length === 0, extensions.problems.length > 0
    ? `expected a well-formed extension list, found ${quoteAll(extensionValues)}: ${extensions.problems.join('; ')}`
    : extensionValues.length === 0 ? 'no extension offered' : `offers ${extensions.items.map((e) => e.name).join(', ')}`));

  return { checks, key, version, protocols: protocols.items, extensions: extensions.items, isUpgrade };
}

/**
 * Checks a server's answer to `req` the way a conforming client does (RFC 6455 §4.1, the client's
 * steps after sending). A status other than 101 is one failed check, "status-101": the rest apply
 * to a 101 answer only and are left out.
 */
export function checkUpgradeResponse(req: HandshakeRequest, res: HandshakeResponse): ResponseSummary {
  const offered = checkUpgradeRequest(req);
  const expectedAccept = offered.key === undefined ? undefined : computeAccept(offered.key);
  const status = res.statusCode;
  const statusText = `${status}${res.statusMessage ? ` ${res.statusMessage}` : ''}`;
  if (status !== 101) {
    const failed = check('status-101', false, `expected 101 Switching Protocols, found ${statusText}; the handshake failed`);
    return { checks: [failed], status, accepted: false, expectedAccept, extensions: [] };
  }
  const headers = res.rawHeaders;
  const checks: HandshakeCheck[] = [check('status-101', true, `status is ${statusText}`)];

  const upgrade = headerValues(headers, 'upgrade');
  const upgradeTokens = tokenList(upgrade);
  // Unlike the request, the answer names the one protocol switched to: any other value fails it.
  const upgradeOk = upgradeTokens.length > 0 && upgradeTokens.every((t) => t.toLowerCase() === 'websocket');
  checks.push(check('response-upgrade-websocket', upgradeOk, upgradeOk
    ? `Upgrade is ${quoteAll(upgrade)}`
    : `expected Upgrade "websocket", found ${quoteAll(upgrade)}`));

  const connection = headerValues(headers, 'connection');
  const connectionOk = listsUpgrade(connection);
  checks.push(check('response-connection-upgrade', connectionOk, connectionOk
    ? `Connection is ${quoteAll(connection)}`
    : `expected "Upgrade" in Connection, found ${quoteAll(connection)}`));

  const accepts = headerValues(headers, 'sec-websocket-accept');
  const accept = accepts.length > 0 ? accepts.join(', ') : undefined;
  checks.push(checkAccept(expectedAccept, accepts));

  const chosen = headerValues(headers, 'sec-websocket-protocol');
  const protocol = chosen.length > 0 ? chosen.join(', ') : undefined;
  checks.push(checkChosenProtocol(offered.protocols, chosen));

  const extensionValues = headerValues(headers, 'sec-websocket-extensions');
  const extensions = parseExtensions(extensionValues);
  checks.push(checkAcceptedExtensions(offered.extensions, extensionValues, extensions.items, extensions.problems));

  const accepted = checks.every((c) => c.ok);
  return { checks, status, accepted, expectedAccept, accept, protocol, extensions: extensions.items };
}

/** The handshake request in a parsed head, or undefined when the head is a response or empty. */
export function handshakeRequestFromHead(head: HttpHead): HandshakeRequest | undefined {
  if (!head.request) return undefined;
  const { method, target, version } = head.request;
  return { method, url: target, httpVersion: version, rawHeaders: head.rawHeaders };
}

/** The handshake response in a parsed head, or undefined when the head is a request or empty. */
export function handshakeResponseFromHead(head: HttpHead): HandshakeResponse | undefined {
  if (!head.response) return undefined;
  const { version, statusCode, statusMessage } = head.response;
  return { statusCode, statusMessage, httpVersion: version, rawHeaders: head.rawHeaders };
}

function checkKey(keys: string[]): HandshakeCheck {
  if (keys.length !== 1) {
    return check('key-valid', false, `expected one Sec-WebSocket-Key, found ${keys.length === 0 ? 'none' : `${keys.length}: ${keys.map(quote).join(', ')}`}`);
  }
  const key = keys[0];
  if (KEY_PATTERN.test(key)) return check('key-valid', true, `Sec-WebSocket-Key ${quote(key)} is 16 bytes`);
  const decoded = /^[+/0-9A-Za-z]*={0,2}$/.test(key) && key.length % 4 === 0
    ? `${Buffer.from(key, 'base64').length} bytes`
    : 'not base64';
  return check('key-valid', false, `expected the base64 encoding of 16 bytes, found ${quote(key)} (${decoded})`);
}

function checkAccept(expected: string | undefined, accepts: string[]): HandshakeCheck {
  const found = quoteAll(accepts);
  if (expected === undefined) {
    return check('accept-matches', false, `cannot compute the expected Sec-WebSocket-Accept: the request did not send exactly one Sec-WebSocket-Key; found ${found}`);
  }
  const ok = accepts.length === 1 && accepts[0] === expected;
  return check('accept-matches', ok, ok
    ? `Sec-WebSocket-Accept is "${expected}" as expected`
    : `expected Sec-WebSocket-Accept "${expected}", found ${found}`);
}

function checkChosenProtocol(offered: string[], chosen: string[]): HandshakeCheck {
  if (chosen.length === 0) return check('protocol-offered', true, 'no subprotocol chosen');
  const parsed = parseProtocols(chosen);
  const found = quoteAll(chosen);
  if (chosen.length > 1 || parsed.items.length !== 1 || parsed.problems.length > 0) {
    return check('protocol-offered', false, `expected at most one subprotocol, found ${found}`);
  }
  if (offered.length === 0) {
    return check('protocol-offered', false, `expected no Sec-WebSocket-Protocol since the client offered none, found ${found}`);
  }
  // Subprotocol names are compared exactly, as browsers and ws do.
  const ok = offered.includes(parsed.items[0]);
  return check('protocol-offered', ok, ok
    ? `chose ${quote(parsed.items[0])} from ${offered.join(', ')}`
    : `expected one of ${offered.join(', ')}, found ${found}`);
}

function checkAcceptedExtensions(offered: ExtensionOffer[], values: string[], accepted: ExtensionOffer[], problems: string[]): HandshakeCheck {
  if (values.length === 0) return check('extensions-offered', true, 'no extension accepted');
  const faults = [...problems];
  const offeredNames = new Set(offered.map((e) => e.name.toLowerCase()));
  const seen = new Set<string>();
  for (const extension of accepted) {
    const name = extension.name.toLowerCase();
    if (!offeredNames.has(name)) faults.push(`${extension.name} was not offered`);
    else if (seen.has(name)) faults.push(`${extension.name} is accepted more than once`);
    seen.add(name);
  }
  const offeredText = offered.length === 0 ? 'none' : [...new Set(offered.map((e) => e.name))].join(', ');
  return check('extensions-offered', faults.length === 0, faults.length === 0
    ? accepted.length === 0 ? 'no extension accepted' : `accepted ${accepted.map((e) => e.name).join(', ')}, all offered`
    : `expected extensions among those offered (${offeredText}) at most once each, found ${quoteAll(values)}: ${faults.join('; ')}`);
}

function check(id: HandshakeCheckId, ok: boolean, message: string): HandshakeCheck {
  return { id, ok, message, rfc: HANDSHAKE_CHECKS[id].rfc };
}

/** The comma-separated elements of list-valued headers (RFC 7230 §7), several lines being one list. */
function tokenList(values: string[]): string[] {
  return values.flatMap((v) => v.split(',')).map((t) => t.trim()).filter((t) => t !== '');
}

function listsUpgrade(connection: string[]): boolean {
  return tokenList(connection).some((t) => t.toLowerCase() === 'upgrade');
}

function isAtLeastHttp11(version: string): boolean {
  const match = /^(\d+)\.(\d+)$/.exec(version);
  if (!match) return false;
  const major = Number(match[1]);
  return major > 1 || (major === 1 && Number(match[2]) >= 1);
}

function quote(value: string): string {
  return JSON.stringify(value);
}

/** Header values for a message: "none" or the values quoted, in order. */
function quoteAll(values: string[]): string {
  return values.length === 0 ? 'none' : values.map(quote).join(', ');
}
