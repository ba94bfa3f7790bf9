// The rule action "serve from recording": a connection whose rule says so gets its server side from a
// recording (the mock's recording server, src/mock) instead of its upstream, so an app that goes
// through the proxy reaches a mock without a change. Each recording is loaded once and kept while the
// rules stay as they are.
import type { Duplex } from 'node:stream';
import type { MockSource } from '../mock/mock-source.js';
import { serveRecording, type RecordingServer } from '../mock/recording-server.js';
import type { HandshakePlan } from '../rules/rule-engine.js';

export type ServeSpec = NonNullable<HandshakePlan['serve']>;

export class RecordingUpstreams {
  private readonly servers = new Map<string, Promise<RecordingServer>>();

  constructor(
    /** Loads a recording: a saved session's name or a HAR file, and one of its connections. */
    private readonly load: (source: string, connection: number | undefined) => Promise<MockSource>,
  ) {}

  /** The server side of a new connection, answering as the recording's server did. */
  async connect(spec: ServeSpec): Promise<{ socket: Duplex; remoteAddress: string }> {
    const key = JSON.stringify([spec.source, spec.connection, spec.timing, spec.match]);
    let server = this.servers.get(key);
    if (!server) {
      server = this.load(spec.source, spec.connection).then((source) => serveRecording(source, { ...(spec.timing ? { timing: spec.timing } : {}), ...(spec.match ? { match: spec.match } : {}) }));
      this.servers.set(key, server);
      // A recording that failed to load is tried again next time.
      server.catch(() => this.servers.delete(key));
    }
    try {
      return (await server).connect();
    } catch (error) {
      throw new Error(`rule "${spec.rule}" could not serve from the recording ${spec.source}: ${(error as Error).message}`);
    }
  }

  /** The rules changed: recordings are loaded again when next asked for (connections served go on). */
  forget(): void {
    this.servers.clear();
  }
}
