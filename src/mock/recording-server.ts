// The server side of a recorded connection, with no listener: each connect() gives one end of an
// in-process socket pair whose other end answers like the recorded server (script-server.ts). The
// proxy's bridge takes it as the upstream (its `connect` option): `framescope mock` does that behind its
// own listener, and a rule may do it for a URL, so an app that goes through the proxy reaches a mock
// without a change.
import type { Duplex } from 'node:stream';
import { duplexPair } from '../proxy/duplex-pair.js';
import type { Message } from '../protocol/frame.js';
import type { LensName } from '../protocol/lenses/lens.js';
import { ScriptMatcher, type MatchLevel, type MockTiming } from './script-matcher.js';
import { serveScript } from './script-server.js';
import { protocolKeysFor } from './protocol-keys.js';
import type { MockSource } from './mock-source.js';

export interface RecordingServerOptions {
  /** recorded (default): answers and pushes keep their recorded delays; fast: at once, in order. */
  timing?: MockTiming;
  /** How loosely client messages may match (default order: content, then protocol fields, then order). */
  match?: MatchLevel;
}

export interface RecordingServer {
  source: MockSource;
  timing: MockTiming;
  match: MatchLevel;
  /** The lens whose packets' type and event are the protocol fields matched, when one recognised the recording (else JSON's type and event). */
  lens?: LensName;
  /**
   * The server side of a new connection, for a bridge's `connect`: it reads the client's handshake
   * and answers it, then the client's messages. onUnexpected hears each client message the recording
   * does not answer (index: its number among the connection's client messages, from 0).
   */
  connect(handlers?: { onUnexpected?: (message: Message, index: number) => void }): { socket: Duplex; remoteAddress: string };
  /** Ends every connection it serves. */
  close(): void;
}

export function serveRecording(source: MockSource, options: RecordingServerOptions = {}): RecordingServer {
  const timing = options.timing ?? 'recorded';
  const match = options.match ?? 'order';
  const protocolKeys = protocolKeysFor(source);
  const ends = new Set<Duplex>();
  return {
    source,
    timing,
    match,
    ...(protocolKeys.lens ? { lens: protocolKeys.lens } : {}),
    connect(handlers = {}) {
      const [bridgeEnd, scriptEnd] = duplexPair();
      for (const end of [bridgeEnd, scriptEnd]) {
        ends.add(end);
        end.once('close', () => ends.delete(end));
      }
      const matcher = new ScriptMatcher(source.items, source.start, source.close, { level: match, timing, recordedKeys: protocolKeys.keys(), liveKeys: protocolKeys.keys() });
      serveScript(scriptEnd, matcher, source.answer, { ...(handlers.onUnexpected ? { onUnexpected: handlers.onUnexpected } : {}) });
      return { socket: bridgeEnd, remoteAddress: `mock of ${source.label}` };
    },
    close() {
      for (const end of ends) end.destroy();
    },
  };
}
