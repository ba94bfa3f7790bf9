// One WebSocket connection through a test engine between two raw socket peers (what a test of the
// relay's exact bytes needs), and the frames a raw peer has received.
import { FrameParser } from '../../src/protocol/frame-parser.js';
import type { Frame, Sender } from '../../src/protocol/frame.js';
import { startTestEngine, type TestEngine } from './engine.js';
import { rawClientHandshake, startRawServer, type RawPeer } from './peers.js';

export interface RawConnection {
  t: TestEngine;
  server: Awaited<ReturnType<typeof startRawServer>>;
  /** The client's end, past the 101. */
  client: RawPeer;
  /** The server's end of the proxy's upstream connection. */
  upstream: RawPeer;
  /** The connection's id in the live session. */
  connectionId: number;
}

/**
 * Starts an engine and a raw server and connects a client through the proxy; connect replaces the
 * default client (an absolute-form handshake to /raw).
 */
export async function openRawConnection(connect?: (proxyPort: number, serverPort: number) => Promise<RawPeer>): Promise<RawConnection> {
  const t = await startTestEngine();
  const server = await startRawServer();
  const client = connect
    ? await connect(t.proxyPort, server.port)
    : (await rawClientHandshake(t.proxyPort, `ws://127.0.0.1:${server.port}/raw`, `127.0.0.1:${server.port}`)).peer;
  const upstream = await server.nextConnection();
  return { t, server, client, upstream, connectionId: t.engine.liveSession.connections[0]!.id };
}

export async function closeRawConnection(c: RawConnection): Promise<void> {
  c.client.socket.destroy();
  await c.t.close();
  await c.server.close();
}

/** The whole frames in bytes, as sent by from. */
export function framesOf(bytes: Buffer, from: Sender): Frame[] {
  const frames: Frame[] = [];
  const parser = new FrameParser({ from, maxStoredPayload: Infinity }, { onHeader() {}, onPayload() {}, onFrame: (f) => frames.push(f) });
  parser.push(bytes);
  return frames;
}

/** Waits until the peer has received at least n whole frames, and returns them. */
export async function receivedFrames(peer: RawPeer, from: Sender, n: number): Promise<Frame[]> {
  for (;;) {
    const frames = framesOf(peer.bytes, from);
    if (frames.length >= n) return frames;
    await peer.waitForBytes(peer.bytes.length + 1);
  }
}
