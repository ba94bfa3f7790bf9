// Client mode: Framescope opens a WebSocket itself, like a Postman for WebSockets. The connection goes
// through the proxy's own path (handshake checks, relay, recording) by way of an in-process socket
// pair, so it is recorded and inspected exactly like traffic from any other client.
import { randomBytes } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { computeAccept, generateKey } from '../protocol/handshake.js';
import { headerValues, parseHttpHead, serializeHttpHead } from '../protocol/http-head.js';
import { encodeClosePayload, encodeFrameBytes } from '../protocol/frame-encoder.js';
import { Opcode } from '../protocol/frame.js';
import type { ConnectionRecord } from '../capture/capture-model.js';
import type { ProxyServer } from './proxy-server.js';
import { duplexPair } from './duplex-pair.js';

export interface OwnClientOptions {
  /** ws:// or wss:// URL to open. */
  url: string;
  /** Extra request headers, in order (cookies, tokens, Origin...). */
  headers?: [string, string][];
  /** Subprotocols to offer. */
  protocols?: string[];
  /** Milliseconds to wait for the handshake. Default 30 s. */
  timeout?: number;
}

/** Nothing answered: the proxy could not reach the server (refused, DNS, TLS, time-out). */
export class OwnClientUnreachable extends Error {
  constructor(
    /** The failure as recorded on the connection, naming host:port. */
    readonly reason: string,
  ) {
    super(reason);
  }
}

/** Headers the client itself writes for every handshake; a user's copies of them are left out. */
const HANDSHAKE_HEADERS = new Set(['host', 'upgrade', 'connection', 'sec-websocket-key', 'sec-websocket-version', 'sec-websocket-accept', 'content-length', 'transfer-encoding']);

export class OwnClient {
  private constructor(
    /** Framescope's end of the socket pair. */
    private readonly socket: Duplex,
    /** The connection as recorded. */
    readonly connection: ConnectionRecord,
  ) {}

  /** Opens the connection and resolves once the server answered 101 (or rejects with its answer). */
  static open(proxy: ProxyServer, options: OwnClientOptions): Promise<OwnClient> {
    const url = new URL(options.url);
    if (url.protocol !== 'ws:' && url.protocol !== 'wss:') return Promise.reject(new Error(`client mode opens ws:// or wss:// URLs, not ${options.url}`));
    const key = generateKey();
    const rawHeaders = ['Host', url.host, 'Upgrade', 'websocket', 'Connection', 'Upgrade', 'Sec-WebSocket-Key', key, 'Sec-WebSocket-Version', '13'];
    if (options.protocols?.length) rawHeaders.push('Sec-WebSocket-Protocol', options.protocols.join(', '));
    for (const [name, value] of options.headers ?? []) {
      if (!HANDSHAKE_HEADERS.has(name.toLowerCase())) rawHeaders.push(name, value);
    }
    const [mine, theirs] = duplexPair();
    return new Promise((resolve, reject) => {
      let connection: ConnectionRecord | undefined;
      let buffered: Buffer = Buffer.alloc(0);
      const timer = setTimeout(() => fail(new Error(`no answer to the handshake within ${options.timeout ?? 30_000} ms`)), options.timeout ?? 30_000);
      const fail = (error: Error) => {
        clearTimeout(timer);
        mine.destroy();
        reject(error);
      };
      const onData = (chunk: Buffer) => {
        buffered = Buffer.concat([buffered, chunk]);
        const head = parseHttpHead(buffered);
        if (!head.complete) return;
        mine.off('data', onData);
        clearTimeout(timer);
        const status = head.response?.statusCode ?? 0;
        if (status !== 101 && connection && connection.response === undefined && connection.error) {
          // The answer is the proxy's own (502, 504...): no server answered.
          fail(new OwnClientUnreachable(connection.error));
          return;
        }
        if (status !== 101) {
          const body = buffered.subarray(head.headLength).toString('utf8').trim();
          fail(new Error(`the server answered ${status} ${head.response?.statusMessage ?? ''}${body ? `: ${body}` : ''}`.trim()));
          return;
        }
        const accept = headerValues(head.rawHeaders, 'sec-websocket-accept')[0];
        if (accept !== computeAccept(key)) {
          fail(new Error(`the server's Sec-WebSocket-Accept ${JSON.stringify(accept)} is not ${computeAccept(key)}`));
          return;
        }
        // What the server sends is recorded by the relay; this end only has to keep reading, and to
        // end its side when the server's side ends, as a TCP client would.
        mine.on('data', () => {});
        mine.once('end', () => mine.end());
        resolve(new OwnClient(mine, connection!));
      };
      mine.on('data', onData);
      mine.on('error', (error: Error) => fail(error));
      mine.once('end', () => fail(new Error('the connection ended before the handshake was answered')));
      proxy.acceptOwnClient(theirs, (c) => (connection = c));
      mine.write(serializeHttpHead({ request: { method: 'GET', target: url.href, version: '1.1' }, rawHeaders }));
    });
  }

  get id(): number {
    return this.connection.id;
  }

  /** Sends a data message (masked with a fresh key, as a client must). */
  send(opcode: 1 | 2, data: Buffer): void {
    this.socket.write(encodeFrameBytes({ opcode, fin: true, mask: randomBytes(4), payload: data }));
  }

  /** Sends bytes exactly as given (hand-crafted frames). */
  sendRaw(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** Starts the closing handshake. */
  close(code = 1000, reason = ''): void {
    this.socket.write(encodeFrameBytes({ opcode: Opcode.Close, fin: true, mask: randomBytes(4), payload: encodeClosePayload(code, reason) }));
  }

  /** Ends the connection without a close frame. */
  destroy(): void {
    this.socket.destroy();
  }
}
