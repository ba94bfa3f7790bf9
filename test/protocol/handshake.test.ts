import { beforeAll, describe, expect, it } from 'vitest';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import { WebSocket, WebSocketServer } from 'ws';
import {
  HANDSHAKE_CHECKS, HANDSHAKE_CHECK_IDS, checkUpgradeRequest, checkUpgradeResponse, computeAccept, generateKey,
  handshakeRequestFromHead, handshakeResponseFromHead,
} from '../../src/protocol/handshake.js';
import type { HandshakeCheckId, HandshakeRequest, HandshakeResponse, RequestSummary, ResponseSummary } from '../../src/protocol/handshake.js';
import { parseHttpHead, serializeHttpHead } from '../../src/protocol/http-head.js';
import type { HttpHead } from '../../src/protocol/http-head.js';

/** The exact bytes of a handshake between a `ws` client and a `ws` server, through a TCP pipe. */
interface Capture {
  requestBytes: Buffer;
  responseBytes: Buffer;
  requestHead: HttpHead;
  responseHead: HttpHead;
}

let capture: Capture;

async function captureHandshake(): Promise<Capture> {
  const wss = new WebSocketServer({
    host: '127.0.0.1', port: 0, perMessageDeflate: true,
    handleProtocols: (protocols) => (protocols.has('chat') ? 'chat' : false),
  });
  await once(wss, 'listening');
  const toServer: Buffer[] = [];
  const toClient: Buffer[] = [];
  const sockets: net.Socket[] = [];
  const pipe = net.createServer((client) => {
    const upstream = net.connect((wss.address() as AddressInfo).port, '127.0.0.1');
    sockets.push(client, upstream);
    client.on('data', (d: Buffer) => { toServer.push(d); upstream.write(d); });
    upstream.on('data', (d: Buffer) => { toClient.push(d); client.write(d); });
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  pipe.listen(0, '127.0.0.1');
  await once(pipe, 'listening');
  try {
    const port = (pipe.address() as AddressInfo).port;
    const ws = new WebSocket(`ws://127.0.0.1:${port}/chat?room=1`, ['chat', 'superchat'], { perMessageDeflate: true });
    await once(ws, 'open');
    ws.close();
    await once(ws, 'close');
  } finally {
    for (const s of sockets) s.destroy();
    pipe.close();
    wss.close();
  }
  const requestAll = Buffer.concat(toServer);
  const responseAll = Buffer.concat(toClient);
  const requestHead = parseHttpHead(requestAll);
  const responseHead = parseHttpHead(responseAll);
  return {
    requestBytes: requestAll.subarray(0, requestHead.headLength),
    responseBytes: responseAll.subarray(0, responseHead.headLength),
    requestHead,
    responseHead,
  };
}

beforeAll(async () => {
  capture = await captureHandshake();
});

function capturedRequest(): HandshakeRequest {
  const req = handshakeRequestFromHead(capture.requestHead)!;
  return { ...req, rawHeaders: [...req.rawHeaders] };
}

function capturedResponse(): HandshakeResponse {
  const res = handshakeResponseFromHead(capture.responseHead)!;
  return { ...res, rawHeaders: [...res.rawHeaders] };
}

/** A copy of rawHeaders with every `name` header removed and, unless values is empty, new lines added where the first one was. */
function withHeader(rawHeaders: string[], name: string, ...values: string[]): string[] {
  const out: string[] = [];
  let placed = false;
  const place = (): void => {
    if (placed) return;
    placed = true;
    for (const v of values) out.push(name, v);
  };
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if (rawHeaders[i].toLowerCase() === name.toLowerCase()) place();
    else out.push(rawHeaders[i], rawHeaders[i + 1]);
  }
  place();
  return out;
}

function requestWith(name: string, ...values: string[]): HandshakeRequest {
  const req = capturedRequest();
  return { ...req, rawHeaders: withHeader(req.rawHeaders, name, ...values) };
}

function responseWith(name: string, ...values: string[]): HandshakeResponse {
  const res = capturedResponse();
  return { ...res, rawHeaders: withHeader(res.rawHeaders, name, ...values) };
}

function find(summary: RequestSummary | ResponseSummary, id: HandshakeCheckId) {
  const found = summary.checks.find((c) => c.id === id);
  if (!found) throw new Error(`no check ${id} in ${summary.checks.map((c) => c.id).join(', ')}`);
  return found;
}

/** The ids of the failed checks. */
function failed(summary: RequestSummary | ResponseSummary): HandshakeCheckId[] {
  return summary.checks.filter((c) => !c.ok).map((c) => c.id);
}

const requestIds = HANDSHAKE_CHECK_IDS.filter((id) => HANDSHAKE_CHECKS[id].side === 'request');
const responseIds = HANDSHAKE_CHECK_IDS.filter((id) => HANDSHAKE_CHECKS[id].side === 'response');

describe('computeAccept and generateKey', () => {
  it('computes the accept value of the RFC 6455 §1.3 example', () => {
    expect(computeAccept('dGhlIHNhbXBsZSBub25jZQ==')).toBe('s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
  });

  it('generates keys of 16 random bytes in base64 that pass the key check', () => {
    const a = generateKey();
    const b = generateKey();
    expect(a).toMatch(/^[+/0-9A-Za-z]{22}==$/);
    expect(Buffer.from(a, 'base64')).toHaveLength(16);
    expect(a).not.toBe(b);
    expect(find(checkUpgradeRequest(requestWith('Sec-WebSocket-Key', a)), 'key-valid').ok).toBe(true);
  });
});

describe('the check catalogue', () => {
  it('has kebab-case ids, each with a one-line description and an RFC 6455 section', () => {
    for (const id of HANDSHAKE_CHECK_IDS) {
      expect(id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(HANDSHAKE_CHECKS[id].description).not.toContain('\n');
      expect(HANDSHAKE_CHECKS[id].rfc).toMatch(/^RFC 6455 §/);
    }
    expect(requestIds).toEqual([
      'method-is-get', 'http-version-1-1', 'host-present', 'request-upgrade-websocket', 'request-connection-upgrade',
      'key-valid', 'version-13', 'protocols-well-formed', 'extensions-well-formed',
    ]);
    expect(responseIds).toEqual([
      'status-101', 'response-upgrade-websocket', 'response-connection-upgrade', 'accept-matches',
      'protocol-offered', 'extensions-offered',
    ]);
  });
});

describe('a handshake captured between a ws client and a ws server', () => {
  it('is recorded as complete, well-formed heads that serialize back to the same bytes', () => {
    expect(capture.requestHead.complete).toBe(true);
    expect(capture.requestHead.problems).toEqual([]);
    expect(capture.responseHead.problems).toEqual([]);
    expect(capture.requestHead.request).toEqual({ method: 'GET', target: '/chat?room=1', version: '1.1' });
    expect(capture.responseHead.response).toEqual({ version: '1.1', statusCode: 101, statusMessage: 'Switching Protocols' });
    expect(serializeHttpHead(capture.requestHead)).toEqual(capture.requestBytes);
    expect(serializeHttpHead(capture.responseHead)).toEqual(capture.responseBytes);
  });

  it('passes every request check, each present once in catalogue order', () => {
    const summary = checkUpgradeRequest(capturedRequest());
    expect(summary.checks.map((c) => c.id)).toEqual(requestIds);
    expect(failed(summary)).toEqual([]);
    expect(summary.isUpgrade).toBe(true);
    expect(summary.key).toMatch(/^[+/0-9A-Za-z]{22}==$/);
    expect(summary.version).toBe('13');
    expect(summary.protocols).toEqual(['chat', 'superchat']);
    expect(summary.extensions).toEqual([
      { name: 'permessage-deflate', params: [{ name: 'client_max_window_bits', value: null, quoted: false }] },
    ]);
    for (const c of summary.checks) expect(c.rfc).toBe(HANDSHAKE_CHECKS[c.id].rfc);
  });

  it('passes every response check and is accepted', () => {
    const summary = checkUpgradeResponse(capturedRequest(), capturedResponse());
    expect(summary.checks.map((c) => c.id)).toEqual(responseIds);
    expect(failed(summary)).toEqual([]);
    expect(summary.accepted).toBe(true);
    expect(summary.status).toBe(101);
    const key = checkUpgradeRequest(capturedRequest()).key!;
    expect(summary.expectedAccept).toBe(computeAccept(key));
    expect(summary.accept).toBe(computeAccept(key));
    expect(summary.protocol).toBe('chat');
    expect(summary.extensions.map((e) => e.name)).toEqual(['permessage-deflate']);
  });
});

describe('request checks', () => {
  it('fails method-is-get for a POST', () => {
    const summary = checkUpgradeRequest({ ...capturedRequest(), method: 'POST' });
    expect(failed(summary)).toEqual(['method-is-get']);
    expect(find(summary, 'method-is-get').message).toBe('expected method GET, found "POST"');
  });

  it('fails http-version-1-1 for HTTP/1.0', () => {
    const summary = checkUpgradeRequest({ ...capturedRequest(), httpVersion: '1.0' });
    expect(failed(summary)).toEqual(['http-version-1-1']);
    expect(find(summary, 'http-version-1-1').message).toBe('expected HTTP/1.1 or later, found HTTP/1.0');
  });

  it('passes http-version-1-1 for a later version', () => {
    expect(failed(checkUpgradeRequest({ ...capturedRequest(), httpVersion: '2.0' }))).toEqual([]);
  });

  it('fails host-present without a Host header', () => {
    const summary = checkUpgradeRequest(requestWith('Host'));
    expect(failed(summary)).toEqual(['host-present']);
    expect(find(summary, 'host-present').message).toBe('expected one Host header, found none');
  });

  it('fails host-present with two Host headers', () => {
    expect(failed(checkUpgradeRequest(requestWith('Host', 'a.example', 'b.example')))).toEqual(['host-present']);
  });

  it('passes Upgrade and Connection written in any case', () => {
    const req = { ...capturedRequest(), rawHeaders: withHeader(withHeader(capturedRequest().rawHeaders, 'upgrade', 'WebSocket'), 'CONNECTION', 'UPGRADE') };
    expect(failed(checkUpgradeRequest(req))).toEqual([]);
    const lower = { ...capturedRequest(), rawHeaders: withHeader(withHeader(capturedRequest().rawHeaders, 'Upgrade', 'websocket'), 'Connection', 'upgrade') };
    expect(failed(checkUpgradeRequest(lower))).toEqual([]);
  });

  it('passes Upgrade and Connection lists with several tokens and several header lines', () => {
    const headers = withHeader(withHeader(capturedRequest().rawHeaders, 'Upgrade', 'h2c, WebSocket'), 'Connection', 'keep-alive', 'HTTP2-Settings, Upgrade');
    const summary = checkUpgradeRequest({ ...capturedRequest(), rawHeaders: headers });
    expect(failed(summary)).toEqual([]);
    expect(find(summary, 'request-connection-upgrade').message).toBe('Connection is "keep-alive", "HTTP2-Settings, Upgrade"');
  });

  it('fails request-upgrade-websocket when Upgrade does not list websocket', () => {
    const summary = checkUpgradeRequest(requestWith('Upgrade', 'h2c'));
    expect(failed(summary)).toEqual(['request-upgrade-websocket']);
    expect(summary.isUpgrade).toBe(false);
    expect(find(summary, 'request-upgrade-websocket').message).toBe('expected "websocket" in Upgrade, found "h2c"');
  });

  it('fails request-upgrade-websocket without an Upgrade header', () => {
    const summary = checkUpgradeRequest(requestWith('Upgrade'));
    expect(failed(summary)).toEqual(['request-upgrade-websocket']);
    expect(find(summary, 'request-upgrade-websocket').message).toBe('expected "websocket" in Upgrade, found none');
  });

  it('fails request-connection-upgrade for Connection: keep-alive', () => {
    const summary = checkUpgradeRequest(requestWith('Connection', 'keep-alive'));
    expect(failed(summary)).toEqual(['request-connection-upgrade']);
    expect(find(summary, 'request-connection-upgrade').message).toBe('expected "Upgrade" in Connection, found "keep-alive"');
  });

  it('fails key-valid for a key of 15 bytes', () => {
    const key = Buffer.alloc(15, 7).toString('base64');
    const summary = checkUpgradeRequest(requestWith('Sec-WebSocket-Key', key));
    expect(failed(summary)).toEqual(['key-valid']);
    expect(find(summary, 'key-valid').message).toBe(`expected the base64 encoding of 16 bytes, found "${key}" (15 bytes)`);
    expect(summary.key).toBe(key);
  });

  it('fails key-valid for a key that is not base64', () => {
    const summary = checkUpgradeRequest(requestWith('Sec-WebSocket-Key', 'not a key!'));
    expect(find(summary, 'key-valid').message).toBe('expected the base64 encoding of 16 bytes, found "not a key!" (not base64)');
  });

  it('fails key-valid without a key', () => {
    const summary = checkUpgradeRequest(requestWith('Sec-WebSocket-Key'));
    expect(failed(summary)).toEqual(['key-valid']);
    expect(summary.key).toBeUndefined();
  });

  it('fails key-valid for two keys', () => {
    const summary = checkUpgradeRequest(requestWith('Sec-WebSocket-Key', generateKey(), generateKey()));
    expect(failed(summary)).toEqual(['key-valid']);
    expect(summary.key).toBeUndefined();
  });

  it('fails version-13 for version 8', () => {
    const summary = checkUpgradeRequest(requestWith('Sec-WebSocket-Version', '8'));
    expect(failed(summary)).toEqual(['version-13']);
    expect(summary.version).toBe('8');
    expect(find(summary, 'version-13').message).toBe('expected Sec-WebSocket-Version 13, found "8"');
  });

  it('fails protocols-well-formed for a subprotocol that is not a token', () => {
    const summary = checkUpgradeRequest(requestWith('Sec-WebSocket-Protocol', 'chat, sup@r'));
    expect(failed(summary)).toEqual(['protocols-well-formed']);
    expect(summary.protocols).toEqual(['chat']);
    expect(find(summary, 'protocols-well-formed').message).toBe(
      'expected distinct subprotocol tokens, found "chat, sup@r": "sup@r" is not a valid subprotocol token');
  });

  it('fails protocols-well-formed for a subprotocol offered twice', () => {
    const summary = checkUpgradeRequest(requestWith('Sec-WebSocket-Protocol', 'chat', 'chat'));
    expect(failed(summary)).toEqual(['protocols-well-formed']);
    expect(find(summary, 'protocols-well-formed').message).toBe(
      'expected distinct subprotocol tokens, found "chat", "chat": offered more than once: chat');
  });

  it('passes protocols-well-formed and extensions-well-formed when neither header is sent', () => {
    const req = { ...capturedRequest(), rawHeaders: withHeader(withHeader(capturedRequest().rawHeaders, 'Sec-WebSocket-Protocol'), 'Sec-WebSocket-Extensions') };
    const summary = checkUpgradeRequest(req);
    expect(failed(summary)).toEqual([]);
    expect(find(summary, 'protocols-well-formed').message).toBe('no subprotocol offered');
    expect(find(summary, 'extensions-well-formed').message).toBe('no extension offered');
  });

  it('fails extensions-well-formed for a malformed extension list', () => {
    const summary = checkUpgradeRequest(requestWith('Sec-WebSocket-Extensions', 'permessage-deflate; =15'));
    expect(failed(summary)).toEqual(['extensions-well-formed']);
    expect(find(summary, 'extensions-well-formed').message).toMatch(/^expected a well-formed extension list, found "permessage-deflate; =15": parameter name expected/);
  });
});

describe('response checks', () => {
  it('reports a non-101 answer as one failed check and leaves the others out', () => {
    const res: HandshakeResponse = { statusCode: 403, statusMessage: 'Forbidden', httpVersion: '1.1', rawHeaders: ['Content-Length', '0'] };
    const summary = checkUpgradeResponse(capturedRequest(), res);
    expect(summary.checks).toEqual([{
      id: 'status-101', ok: false, rfc: 'RFC 6455 §4.1',
      message: 'expected 101 Switching Protocols, found 403 Forbidden; the handshake failed',
    }]);
    expect(summary.accepted).toBe(false);
    expect(summary.status).toBe(403);
    expect(summary.extensions).toEqual([]);
    expect(summary.protocol).toBeUndefined();
  });

  it('passes response Upgrade and Connection written in any case', () => {
    const res = { ...capturedResponse(), rawHeaders: withHeader(withHeader(capturedResponse().rawHeaders, 'Upgrade', 'WEBSOCKET'), 'Connection', 'keep-alive, upgrade') };
    const summary = checkUpgradeResponse(capturedRequest(), res);
    expect(failed(summary)).toEqual([]);
    expect(summary.accepted).toBe(true);
  });

  it('fails response-upgrade-websocket when the answer names another protocol too', () => {
    const summary = checkUpgradeResponse(capturedRequest(), responseWith('Upgrade', 'websocket, h2c'));
    expect(failed(summary)).toEqual(['response-upgrade-websocket']);
    expect(summary.accepted).toBe(false);
    expect(find(summary, 'response-upgrade-websocket').message).toBe('expected Upgrade "websocket", found "websocket, h2c"');
  });

  it('fails response-upgrade-websocket when the answer names another protocol only', () => {
    const summary = checkUpgradeResponse(capturedRequest(), responseWith('Upgrade', 'h2c'));
    expect(failed(summary)).toEqual(['response-upgrade-websocket']);
    expect(find(summary, 'response-upgrade-websocket').message).toBe('expected Upgrade "websocket", found "h2c"');
  });

  it('fails response-upgrade-websocket without an Upgrade header', () => {
    const summary = checkUpgradeResponse(capturedRequest(), responseWith('Upgrade'));
    expect(failed(summary)).toEqual(['response-upgrade-websocket']);
    expect(find(summary, 'response-upgrade-websocket').message).toBe('expected Upgrade "websocket", found none');
  });

  it('fails response-connection-upgrade without a Connection header', () => {
    const summary = checkUpgradeResponse(capturedRequest(), responseWith('Connection'));
    expect(failed(summary)).toEqual(['response-connection-upgrade']);
    expect(summary.accepted).toBe(false);
  });

  it('fails accept-matches for a wrong accept, naming the expected value', () => {
    const wrong = computeAccept(generateKey());
    const summary = checkUpgradeResponse(capturedRequest(), responseWith('Sec-WebSocket-Accept', wrong));
    const expected = computeAccept(checkUpgradeRequest(capturedRequest()).key!);
    expect(failed(summary)).toEqual(['accept-matches']);
    expect(summary.accepted).toBe(false);
    expect(summary.accept).toBe(wrong);
    expect(find(summary, 'accept-matches').message).toBe(`expected Sec-WebSocket-Accept "${expected}", found "${wrong}"`);
  });

  it('fails accept-matches when the request had no key to compute it from', () => {
    const summary = checkUpgradeResponse(requestWith('Sec-WebSocket-Key'), capturedResponse());
    expect(failed(summary)).toEqual(['accept-matches']);
    expect(summary.expectedAccept).toBeUndefined();
  });

  it('fails protocol-offered for a subprotocol the client did not offer', () => {
    const summary = checkUpgradeResponse(capturedRequest(), responseWith('Sec-WebSocket-Protocol', 'mqtt'));
    expect(failed(summary)).toEqual(['protocol-offered']);
    expect(summary.protocol).toBe('mqtt');
    expect(find(summary, 'protocol-offered').message).toBe('expected one of chat, superchat, found "mqtt"');
  });

  it('compares subprotocols exactly, case included', () => {
    expect(failed(checkUpgradeResponse(capturedRequest(), responseWith('Sec-WebSocket-Protocol', 'Chat')))).toEqual(['protocol-offered']);
  });

  it('fails protocol-offered when the server chooses two subprotocols', () => {
    const summary = checkUpgradeResponse(capturedRequest(), responseWith('Sec-WebSocket-Protocol', 'chat, superchat'));
    expect(failed(summary)).toEqual(['protocol-offered']);
    expect(find(summary, 'protocol-offered').message).toBe('expected at most one subprotocol, found "chat, superchat"');
  });

  it('fails protocol-offered when the server chooses one although none was offered', () => {
    const summary = checkUpgradeResponse(requestWith('Sec-WebSocket-Protocol'), capturedResponse());
    expect(failed(summary)).toEqual(['protocol-offered']);
    expect(find(summary, 'protocol-offered').message).toBe('expected no Sec-WebSocket-Protocol since the client offered none, found "chat"');
  });

  it('passes protocol-offered when the server chooses none of the offered subprotocols', () => {
    const summary = checkUpgradeResponse(capturedRequest(), responseWith('Sec-WebSocket-Protocol'));
    expect(failed(summary)).toEqual([]);
    expect(summary.protocol).toBeUndefined();
  });

  it('fails extensions-offered for an extension the client did not offer', () => {
    const summary = checkUpgradeResponse(capturedRequest(), responseWith('Sec-WebSocket-Extensions', 'permessage-deflate, x-custom'));
    expect(failed(summary)).toEqual(['extensions-offered']);
    expect(find(summary, 'extensions-offered').message).toBe(
      'expected extensions among those offered (permessage-deflate) at most once each, found "permessage-deflate, x-custom": x-custom was not offered');
  });

  it('fails extensions-offered when the client offered no extension at all', () => {
    const summary = checkUpgradeResponse(requestWith('Sec-WebSocket-Extensions'), capturedResponse());
    expect(failed(summary)).toEqual(['extensions-offered']);
  });

  it('matches accepted extension names case-insensitively', () => {
    const summary = checkUpgradeResponse(capturedRequest(), responseWith('Sec-WebSocket-Extensions', 'PerMessage-Deflate'));
    expect(failed(summary)).toEqual([]);
  });

  it('fails extensions-offered for an extension accepted twice', () => {
    const summary = checkUpgradeResponse(capturedRequest(), responseWith('Sec-WebSocket-Extensions', 'permessage-deflate', 'permessage-deflate'));
    expect(failed(summary)).toEqual(['extensions-offered']);
    expect(find(summary, 'extensions-offered').message).toMatch(/permessage-deflate is accepted more than once$/);
  });

  it('fails extensions-offered for a malformed extension header', () => {
    const summary = checkUpgradeResponse(capturedRequest(), responseWith('Sec-WebSocket-Extensions', 'permessage-deflate; server_max_window_bits="10'));
    expect(failed(summary)).toEqual(['extensions-offered']);
  });

  it('passes extensions-offered when the server accepts none', () => {
    const summary = checkUpgradeResponse(capturedRequest(), responseWith('Sec-WebSocket-Extensions'));
    expect(failed(summary)).toEqual([]);
    expect(summary.extensions).toEqual([]);
  });
});
