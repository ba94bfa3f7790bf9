// Recording of what the relay did, into the session: frames and messages as they went on the wire
// (with how the proxy changed them), the connection's close as the first close frame says, and errors.
import { Opcode, type Frame, type Message, type WirePayload } from '../../protocol/frame.js';
import { wirePrefix } from '../../protocol/wire-payload.js';
import type { ConnectionRecord, Direction } from '../../capture/capture-model.js';
import type { Session } from '../../capture/session.js';
import { keptPayload } from '../../capture/record-policy.js';
import type { Rec, RelayFlags } from './relay-types.js';

/** The flags of traffic the proxy did not change. */
const NO_FLAGS: RelayFlags = Object.freeze({});

export class RelayRecorder {
  constructor(
    private readonly session: Session,
    readonly connection: ConnectionRecord,
    private readonly maxStoredPayload: number,
  ) {}

  /** time: when it went on the wire; arrivedAt: when it arrived, if earlier (it was held or queued). */
  recordFrame(direction: Direction, frame: Frame, time: number, flags: RelayFlags, arrivedAt?: number): void {
    const c = this.connection;
    if (frame.opcode === Opcode.Close && !c.close && !flags.dropped) {
      c.close = { code: frame.closeCode ?? 1005, reason: frame.closeReason ?? '', closedBy: direction === 'send' ? 'client' : 'server' };
      c.state = 'closing';
      this.session.updated(c);
    }
    // The session's recording policy: off keeps no frames, headers a payload prefix.
    const policy = this.session.recordPolicy;
    if (policy.mode === 'off') return;
    const cap = keptPayload(policy, this.maxStoredPayload);
    let stored = frame;
    if (frame.wire) {
      if (frame.wire.length > cap) stored = { ...frame, wire: this.prefix(frame.wire, cap), truncated: true };
    } else if (frame.payload.length > cap) {
      stored = { ...frame, payload: frame.payload.subarray(0, cap), truncated: true };
    }
    // Traffic that went on as it came (most of it) takes the plain literal, not the spreads.
    this.session.addFrame(c, flags === NO_FLAGS && arrivedAt === undefined ? { direction, time, frame: stored }
      : { direction, time, ...(arrivedAt !== undefined && arrivedAt < time ? { arrivedAt } : {}), frame: stored, ...flags });
  }

  recordMessage(direction: Direction, message: Message, time: number, flags: RelayFlags = NO_FLAGS, arrivedAt?: number): void {
    const policy = this.session.recordPolicy;
    if (policy.mode === 'off') return;
    const cap = keptPayload(policy, this.maxStoredPayload);
    let stored = message;
    if (message.wire) {
      if (message.wire.length > cap) stored = { ...message, wire: this.prefix(message.wire, cap), truncated: true };
    } else if (message.data.length > cap) {
      stored = { ...message, data: message.data.subarray(0, cap), truncated: true };
    }
    // Its frame's prefix was for it alone: the chunk it views may go.
    this.lastPrefix = undefined;
    this.session.addMessage(this.connection, flags === NO_FLAGS && arrivedAt === undefined ? { direction, time, message: stored }
      : { direction, time, ...(arrivedAt !== undefined && arrivedAt < time ? { arrivedAt } : {}), message: stored, ...flags });
  }

  /**
   * Wire bytes cut to the policy's prefix: the same prefix for a message as for its frame, so the
   * store sees that the message's data is its frame's payload.
   */
  private prefix(wire: WirePayload, cap: number): WirePayload {
    if (this.lastPrefix?.from !== wire || this.lastPrefix.to.length !== cap) this.lastPrefix = { from: wire, to: wirePrefix(wire, cap) };
    return this.lastPrefix.to;
  }

  private lastPrefix: { from: WirePayload; to: WirePayload } | undefined;

  /** Records frames and messages in the order given. */
  recordAll(direction: Direction, records: Rec[]): void {
    for (const r of records) {
      if (r.kind === 'frame') this.recordFrame(direction, r.frame, r.time, r.flags ?? NO_FLAGS, r.arrivedAt);
      else this.recordMessage(direction, r.message, r.time, r.flags, r.arrivedAt);
    }
  }

  error(message: string): void {
    this.session.recordError(message, this.connection.id);
  }

  /** Both TCP connections are gone: the connection is closed, with 1006 when no close frame went by. */
  finished(firstToDrop: 'client' | 'server' | undefined): void {
    const c = this.connection;
    c.close ??= { code: 1006, reason: '', closedBy: firstToDrop ?? 'server' };
    c.state = 'closed';
    c.endedAt = Date.now();
    this.session.closed(c);
  }
}
