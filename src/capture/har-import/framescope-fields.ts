// The `_framescope` object of our own HAR entries.
import type { ConnectionState, RecordedCheck, UpstreamTls } from '../capture-model.js';

/** The `_framescope` fields that import restores. */
export interface FramescopeFields {
  /** ConnectionRecord.state. */
  state?: ConnectionState;
  /** ConnectionRecord.clientAddress. */
  clientAddress?: string;
  /** ConnectionRecord.serverAddress. */
  serverAddress?: string;
  /** RecordedRequest.target. */
  requestTarget?: string;
  /** ConnectionRecord.checks. */
  checks?: RecordedCheck[];
  /** ConnectionRecord.protocol. */
  protocol?: string;
  /** ConnectionRecord.extensions. */
  extensions?: string;
  /** ConnectionRecord.tls. */
  tls?: UpstreamTls;
  /** ConnectionRecord.endedAt, from endedDateTime. */
  endedAt?: number;
  /** The client's request when the one sent upstream was edited (the entry's request is what was sent). */
  originalRequest?: { target: string; rawHeaders: string[] };
}
