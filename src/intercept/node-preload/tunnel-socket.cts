// A socket to any host:port that runs through an HTTP proxy's CONNECT tunnel, returned synchronously
// where net.connect would return one: it says `connecting` until the proxy answered 200, holds what is
// written until then, and hands on only the bytes after the proxy's answer. It is a net.Socket (with no
// handle of its own) so callers that call setNoDelay, setTimeout or ref on it, or check
// `instanceof net.Socket`, keep working; tls.connect({ socket }) wraps it like any JS stream.
//
// This file is part of the Node preload (CommonJS, loaded with --require into apps of any Node
// version), so it needs nothing but Node's built-in modules.
import net = require('node:net');
import type { ProxyEndpoint } from './proxy-endpoint.cjs';

/** The longest proxy answer head accepted before the tunnel is given up. */
const MAX_ANSWER_HEAD = 16 * 1024;

interface HeldWrite {
  chunk: Buffer;
  callback: (error?: Error | null) => void;
}

class TunnelSocket extends net.Socket {
  /** The TCP connection to the proxy. */
  private readonly toProxy: net.Socket;
  private established = false;
  private answer = Buffer.alloc(0);
  private readonly heldWrites: HeldWrite[] = [];
  private heldFinal: ((error?: Error | null) => void) | undefined;

  constructor(proxy: ProxyEndpoint, target: { host: string; port: number }, connectRaw: (options: net.NetConnectOpts) => net.Socket) {
    super();
    setConnecting(this, true);
    const authority = `${net.isIPv6(target.host) ? `[${target.host}]` : target.host}:${target.port}`;
    this.toProxy = connectRaw({ host: proxy.host, port: proxy.port });
    this.toProxy.setNoDelay(true);
    this.toProxy.once('connect', () => {
      const auth = proxy.authorization ? `Proxy-Authorization: ${proxy.authorization}\r\n` : '';
      this.toProxy.write(`CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n${auth}\r\n`);
    });
    this.toProxy.on('data', (chunk: Buffer) => (this.established ? this.deliver(chunk) : this.readAnswer(chunk, authority)));
    this.toProxy.on('end', () => {
      if (this.established) this.push(null);
      else this.destroy(tunnelError(`the proxy at ${proxy.host}:${proxy.port} closed the connection before answering CONNECT ${authority}`));
    });
    this.toProxy.on('error', (error) => this.destroy(error));
    this.toProxy.on('close', () => { if (!this.destroyed) this.destroy(); });
    this.toProxy.on('timeout', () => this.emit('timeout'));
  }

  private readAnswer(chunk: Buffer, authority: string): void {
    this.answer = Buffer.concat([this.answer, chunk]);
    const end = this.answer.indexOf('\r\n\r\n');
    if (end < 0) {
      if (this.answer.length > MAX_ANSWER_HEAD) this.destroy(tunnelError(`the proxy's answer to CONNECT ${authority} is longer than ${MAX_ANSWER_HEAD} bytes`));
      return;
    }
    const statusLine = this.answer.subarray(0, this.answer.indexOf('\r\n')).toString('latin1');
    const rest = this.answer.subarray(end + 4);
    this.answer = Buffer.alloc(0);
    if (!/^HTTP\/1\.[01] 200( |$)/.test(statusLine)) {
      this.destroy(tunnelError(`the proxy refused CONNECT ${authority}: ${statusLine}`));
      return;
    }
    this.established = true;
    setConnecting(this, false);
    for (const { chunk: data, callback } of this.heldWrites.splice(0)) this.toProxy.write(data, callback);
    if (this.heldFinal) this.toProxy.end(this.heldFinal);
    this.emit('connect');
    this.emit('ready');
    if (rest.length > 0) this.deliver(rest);
  }

  private deliver(chunk: Buffer): void {
    if (!this.push(chunk)) this.toProxy.pause();
  }

  override _read(): void {
    this.toProxy.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.established) this.toProxy.write(chunk, callback);
    else this.heldWrites.push({ chunk, callback });
  }

  override _writev(chunks: { chunk: Buffer }[], callback: (error?: Error | null) => void): void {
    const chunk = Buffer.concat(chunks.map((c) => c.chunk));
    if (this.established) this.toProxy.write(chunk, callback);
    else this.heldWrites.push({ chunk, callback });
  }

  override _final(callback: (error?: Error | null) => void): void {
    if (this.established) this.toProxy.end(callback);
    else this.heldFinal = callback;
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.toProxy.destroy();
    for (const { callback: pending } of this.heldWrites.splice(0)) pending(error ?? new Error('socket destroyed'));
    callback(error);
    // net.Socket turns off the stream's own 'close' (emitClose: false) and emits it when its handle
    // closes; with no handle, it is ours to emit, as net.Socket does for a socket that never connected.
    process.nextTick(() => this.emit('close', Boolean(error)));
  }

  override setNoDelay(noDelay?: boolean): this {
    this.toProxy.setNoDelay(noDelay);
    return this;
  }

  override setKeepAlive(enable?: boolean, initialDelay?: number): this {
    this.toProxy.setKeepAlive(enable, initialDelay);
    return this;
  }

  override setTimeout(timeout: number, callback?: () => void): this {
    this.toProxy.setTimeout(timeout);
    if (callback) {
      if (timeout === 0) this.off('timeout', callback);
      else this.once('timeout', callback);
    }
    return this;
  }

  override ref(): this {
    this.toProxy.ref();
    return this;
  }

  override unref(): this {
    this.toProxy.unref();
    return this;
  }
}

/** net.Socket's `connecting` is a plain property that @types/node declares read-only. */
function setConnecting(socket: net.Socket, connecting: boolean): void {
  (socket as { connecting: boolean }).connecting = connecting;
}

function tunnelError(message: string): Error {
  return Object.assign(new Error(`framescope: ${message}`), { code: 'ECONNREFUSED' });
}

export = { TunnelSocket };
