// One WebSocket connection through the proxy: record the client's upgrade request, open the
// upstream, pass the handshake on, and once the server answers 101 hand both sockets to the relay.
// A failed handshake (no upstream, a non-101 answer) goes back to the client untouched and is recorded.
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { checkUpgradeRequest, checkUpgradeResponse } from '../protocol/handshake.js';
import { DEFAULT_MAX_HEAD_SIZE, headerValues, parseHttpHead, serializeHttpHead } from '../protocol/http-head.js';
import { negotiatedDeflate } from '../protocol/permessage-deflate.js';
import type { ConnectionRecord, RecordedResponse, UpstreamTls } from '../capture/capture-model.js';
import type { Session } from '../capture/session.js';
import { connectUpstream, formatSocketAddress, UpstreamError, type UpstreamOptions, type UpstreamTarget } from './upstream-connector.js';
import { FrameRelay } from './frame-relay.js';
import { writeErrorResponse } from './error-response.js';
import type { Breakpoints } from './breakpoints.js';
import type { HandshakePlan, RuleEngine } from '../rules/rule-engine.js';
import { refusalBytes } from './rule-refusal.js';

export interface BridgeTarget extends UpstreamTarget {
  /** The ws:// or wss:// URL recorded for the connection. */
  url: string;
  /** The request target to send upstream (origin-form: path and query). */
  path: string;
  /** Replace the Host header with this value (reverse mode). */
  hostHeader?: string;
  /** Remove Proxy-* headers meant for us (explicit mode). */
  stripProxyHeaders: boolean;
}

export interface BridgeOptions extends UpstreamOptions {
  /** Breakpoints: the queue where the upgrade request and messages wait for the user. */
  breakpoints?: Breakpoints;
  /** The rules that decide what happens to the handshake and the messages. */
  rules?: RuleEngine;
  /** Told when the connection's record exists, and when its relay starts. */
  onConnection?: (connection: ConnectionRecord) => void;
  onRelay?: (connection: ConnectionRecord, relay: FrameRelay) => void;
  /** Whether the capture store is behind (new connections start held). */
  holdForStore?: () => boolean;
  /** Payload bytes stored per frame and message. */
  maxStoredPayload: number;
  /** Milliseconds to wait for the upstream's answer to the handshake. */
  responseTimeout: number;
  /** Why the target must not be connected to (a loop back to the proxy), checked before connecting. */
  refuseTarget?: (target: BridgeTarget) => UpstreamError | undefined;
  /** Opens the server's side from a recording, for a rule that serves the connection from one. */
  serveFromRecording?: (spec: NonNullable<HandshakePlan['serve']>) => Promise<{ socket: Duplex; remoteAddress: string }>;
  /** Opens the server's side in-process instead of connecting to the target (a mock serving a recording). */
  connect?: (target: BridgeTarget) => Promise<{ socket: Duplex; remoteAddress: string }>;
}

export async function bridgeWebSocket(
  session: Session,
  req: IncomingMessage,
  clientSocket: Duplex,
  clientHead: Buffer,
  target: BridgeTarget,
  options: BridgeOptions,
): Promise<void> {
  clientSocket.pause();
  const request = {
    method: req.method ?? 'GET',
    url: req.url ?? '/',
    httpVersion: req.httpVersion,
    rawHeaders: req.rawHeaders,
  };
  const requestSummary = checkUpgradeRequest(request);
  const connection = session.addConnection({
    url: target.url,
    clientAddress: formatSocketAddress(req.socket.remoteAddress, req.socket.remotePort),
    startedAt: Date.now(),
    state: 'connecting',
    request: { method: request.method, target: request.url, httpVersion: request.httpVersion, rawHeaders: request.rawHeaders, time: Date.now() },
    checks: requestSummary.checks.map((check) => ({ ...check })),
  });
  options.onConnection?.(connection);
  let clientGone = false;
  const onClientClose = () => { clientGone = true; };
  clientSocket.once('close', onClientClose);
  clientSocket.on('error', () => { clientGone = true; });

  /** answer: the bytes to end the client's socket with, instead of the proxy's own error response. */
  const fail = (message: string, status?: number, answer?: Buffer) => {
    connection.error = message;
    connection.state = 'failed';
    session.updated(connection);
    if (answer && !clientGone) clientSocket.end(answer);
    else if (status !== undefined && !clientGone) writeErrorResponse(clientSocket, status, message);
    else clientSocket.destroy();
    session.closed(connection);
  };

  // Rules act before anything goes upstream: refuse, delay, or hold for the user (who may edit it).
  let upstreamHead = requestHead(request, target);
  const plan = options.rules?.handshake(target.url);
  if (plan?.refuse) {
    const { status, body, rule } = plan.refuse;
    connection.response = { statusCode: status, statusMessage: STATUS_CODES[status] ?? '', httpVersion: '1.1', rawHeaders: [], time: Date.now() };
    fail(`the handshake was refused by rule "${rule}"`, status, refusalBytes(status, body, connection.response));
    return;
  }
  if (plan && plan.delayMs > 0) {
    await new Promise((resolve) => setTimeout(resolve, plan.delayMs));
    if (clientGone) {
      fail('the client went away while the handshake was delayed');
      return;
    }
  }
  if (plan?.hold && options.breakpoints) {
    const rule = { id: plan.hold.ruleId };
    const asSent = parseSentHead(upstreamHead);
    const { decision } = options.breakpoints.hold({
      connectionId: connection.id, url: target.url, kind: 'handshake', direction: 'send', ruleId: rule.id,
      request: { method: request.method, target: asSent.target, rawHeaders: asSent.rawHeaders }, queued: [], queuedCount: 0,
    });
    const forget = () => options.breakpoints!.forgetConnection(connection.id);
    clientSocket.once('close', forget);
    const decided = await decision;
    clientSocket.off('close', forget);
    if (decided.action === 'drop' || clientGone) {
      fail(clientGone ? 'the client went away while the handshake was held' : 'the handshake was dropped at a breakpoint', clientGone ? undefined : 403);
      return;
    }
    if (decided.editedRequest) {
      const edited = decided.editedRequest;
      connection.editedRequest = { method: request.method, target: edited.target, httpVersion: request.httpVersion, rawHeaders: edited.rawHeaders, time: Date.now() };
      session.updated(connection);
      upstreamHead = serializeHttpHead({ request: { method: request.method, target: edited.target, version: request.httpVersion }, rawHeaders: edited.rawHeaders });
    }
  }

  let upstream: { socket: Duplex; remoteAddress: string; tls?: UpstreamTls };
  try {
    const refused = options.refuseTarget?.(target);
    if (refused) throw refused;
    const serve = plan?.serve;
    if (serve && !options.serveFromRecording) throw new UpstreamError(`rule "${serve.rule}" serves from a recording, which this proxy cannot load`, 502);
    upstream = serve ? await options.serveFromRecording!(serve) : options.connect ? await options.connect(target) : await connectUpstream(target, options);
  } catch (error) {
    const e = error instanceof UpstreamError ? error : new UpstreamError(String(error), 502);
    fail(e.message, e.status);
    return;
  }
  const server = upstream.socket;
  connection.serverAddress = upstream.remoteAddress;
  if (upstream.tls) connection.tls = upstream.tls;
  if (clientGone) {
    server.destroy();
    fail('the client went away before the upstream answered');
    return;
  }

  server.write(upstreamHead);

  let head: Awaited<ReturnType<typeof readResponseHead>>;
  try {
    head = await readResponseHead(server, options.responseTimeout);
  } catch (error) {
    server.destroy();
    const e = error as UpstreamError;
    fail(e.message, e.status);
    return;
  }
  const { parsed, bytes, rest } = head;
  const status = parsed.response!.statusCode;
  const response: RecordedResponse = {
    statusCode: status,
    statusMessage: parsed.response!.statusMessage,
    httpVersion: parsed.response!.version,
    rawHeaders: parsed.rawHeaders,
    time: Date.now(),
  };
  connection.response = response;
  const responseSummary = checkUpgradeResponse(request, {
    statusCode: status,
    statusMessage: response.statusMessage,
    httpVersion: response.httpVersion,
    rawHeaders: response.rawHeaders,
  });
  connection.checks.push(...responseSummary.checks.map((check) => ({ ...check })));
  if (responseSummary.protocol !== undefined) connection.protocol = responseSummary.protocol;
  const extensionsHeader = headerValues(response.rawHeaders, 'sec-websocket-extensions');
  if (extensionsHeader.length > 0) connection.extensions = extensionsHeader.join(', ');

  // The answer goes back exactly as the server wrote it.
  clientSocket.write(bytes);

  if (status !== 101) {
    forwardRefusal(session, connection, server, clientSocket, rest, options.maxStoredPayload);
    return;
  }

  connection.state = 'open';
  session.updated(connection);
  const deflate = negotiatedDeflate(extensionsHeader.length > 0 ? extensionsHeader : undefined).params;
  clientSocket.off('close', onClientClose);
  const relay = new FrameRelay(session, connection, clientSocket, server, { deflate, maxStoredPayload: options.maxStoredPayload, breakpoints: options.breakpoints, rules: options.rules, holdForStore: options.holdForStore });
  options.onRelay?.(connection, relay);
  relay.start(clientHead, rest);
}

/** The handshake request as sent upstream: origin-form target, headers in the client's order and case. */
function requestHead(request: { method: string; httpVersion: string; rawHeaders: string[] }, target: BridgeTarget): Buffer {
  let head = `${request.method} ${target.path} HTTP/${request.httpVersion}\r\n`;
  const raw = request.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!;
    const lower = name.toLowerCase();
    if (target.stripProxyHeaders && (lower === 'proxy-connection' || lower === 'proxy-authorization')) continue;
    const value = lower === 'host' && target.hostHeader !== undefined ? target.hostHeader : raw[i + 1]!;
    head += `${name}: ${value}\r\n`;
  }
  return Buffer.from(`${head}\r\n`, 'latin1');
}

/** The request line's target and the headers of a head we built (for showing a held handshake). */
function parseSentHead(head: Buffer): { target: string; rawHeaders: string[] } {
  const parsed = parseHttpHead(head);
  return { target: parsed.request?.target ?? '/', rawHeaders: parsed.rawHeaders };
}

interface ResponseHead {
  parsed: ReturnType<typeof parseHttpHead>;
  /** The head's exact bytes. */
  bytes: Buffer;
  /** What followed the head in the same reads. */
  rest: Buffer;
}

function readResponseHead(socket: Duplex, timeout: number): Promise<ResponseHead> {
  return new Promise((resolve, reject) => {
    let buffered: Buffer = Buffer.alloc(0);
    const done = (error?: UpstreamError, value?: ResponseHead) => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('error', onError);
      if (error) reject(error);
      else {
        socket.pause();
        resolve(value!);
      }
    };
    const onData = (chunk: Buffer) => {
      buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
      const parsed = parseHttpHead(buffered);
      if (parsed.tooLarge) {
        done(new UpstreamError(`the upstream's response head is over ${DEFAULT_MAX_HEAD_SIZE} bytes`, 502));
        return;
      }
      if (!parsed.complete) return;
      if (!parsed.response) {
        done(new UpstreamError(`the upstream did not answer with an HTTP response (${parsed.problems.join('; ') || 'unparseable head'})`, 502));
        return;
      }
      done(undefined, { parsed, bytes: buffered.subarray(0, parsed.headLength), rest: buffered.subarray(parsed.headLength) });
    };
    const onEnd = () => done(new UpstreamError('the upstream closed the connection without answering the handshake', 502));
    const onError = (error: NodeJS.ErrnoException) => done(new UpstreamError(`the upstream connection failed: ${error.code ?? error.message}`, 502));
    const timer = setTimeout(() => done(new UpstreamError(`the upstream did not answer the handshake within ${timeout} ms`, 504)), timeout);
    socket.on('data', onData);
    socket.once('end', onEnd);
    socket.once('error', onError);
    socket.resume();
  });
}

/**
 * A non-101 answer: the body goes to the client untouched and is recorded (up to the cap). The
 * exchange ends when the body is complete (Content-Length or the last chunk) or the upstream closes.
 */
function forwardRefusal(session: Session, connection: ConnectionRecord, server: Duplex, client: Duplex, rest: Buffer, cap: number): void {
  const response = connection.response!;
  const lengthHeader = headerValues(response.rawHeaders, 'content-length')[0];
  const chunked = headerValues(response.rawHeaders, 'transfer-encoding').some((v) => /chunked/i.test(v));
  const expected = lengthHeader !== undefined && /^\d+$/.test(lengthHeader.trim()) ? Number(lengthHeader) : undefined;
  const body: Buffer[] = [];
  let received = 0;
  let stored = 0;
  let tail = '';
  let finished = false;
  const finish = () => {
    if (finished) return;
    finished = true;
    response.body = Buffer.concat(body);
    connection.state = 'failed';
    connection.error = `the server answered the handshake with ${response.statusCode} ${response.statusMessage}`.trimEnd();
    session.updated(connection);
    server.destroy();
    client.end();
    session.closed(connection);
  };
  const onData = (chunk: Buffer) => {
    client.write(chunk);
    received += chunk.length;
    if (stored < cap) {
      const keep = chunk.subarray(0, cap - stored);
      body.push(keep);
      stored += keep.length;
    }
    if (chunked) tail = (tail + chunk.toString('latin1')).slice(-5);
    if ((expected !== undefined && received >= expected) || (chunked && tail === '0\r\n\r\n') || (!chunked && expected === undefined && response.statusCode === 304)) {
      finish();
    }
  };
  server.on('data', onData);
  server.once('end', finish);
  server.once('close', finish);
  server.on('error', finish);
  client.on('error', () => server.destroy());
  if (expected === 0 || response.statusCode === 204 || response.statusCode === 304) {
    finish();
    return;
  }
  if (rest.length > 0) onData(rest);
  server.resume();
}
