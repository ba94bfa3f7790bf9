// The proxy's own frames in one direction, written and recorded: injected, resent and edited messages,
// and hand-crafted bytes. Beside it, what the receiver has had of closes: after a close frame nothing
// may follow (RFC 6455 section 5.5.1), which decides what the proxy may still send and which of the
// sender's frames go on.
import { Opcode, type Sender } from '../../protocol/frame.js';
import type { Direction } from '../../capture/capture-model.js';
import type { LaneOutput } from './lane-output.js';
import type { OwnEncoder } from './own-encoder.js';
import type { RelayRecorder } from './relay-recorder.js';
import { withRule, type RelayFlags } from './relay-types.js';

export class ReceiverCloses {
  /** A close frame has gone to the receiver (the sender's or the proxy's own). */
  sent = false;
  /**
   * The proxy sent a close frame of its own to the receiver: it is now the receiver's closing peer, and
   * nothing more from the sender may follow. The sender's frames are recorded as dropped.
   */
  own = false;
  /**
   * The proxy closed toward one of the peers: a close frame toward a receiver that already has one
   * (a peer's answer to the proxy's close) is not forwarded, so no peer gets two.
   */
  dropSecond = false;

  /** Whether a sender's frame of this opcode must not reach the receiver. */
  discards(opcode: number): boolean {
    return this.own || (opcode === Opcode.Close && this.dropSecond && this.sent);
  }

  /** No frame of the sender's can be discarded now. */
  get passAll(): boolean {
    return !this.own && !(this.dropSecond && this.sent);
  }
}

export class OwnSender {
  readonly closes = new ReceiverCloses();

  constructor(
    private readonly direction: Direction,
    /** The peer this direction writes to. */
    private readonly receiver: Sender,
    private readonly own: OwnEncoder,
    private readonly output: LaneOutput,
    private readonly recorder: RelayRecorder,
    /** The rules shaping the direction, for marks. */
    private readonly shapedBy: () => string | undefined,
  ) {}

  /** Encodes, writes and records a message of the proxy's own (injected, resent or edited). */
  send(opcode: number, data: Buffer, flags: RelayFlags, arrivedAt?: number): void {
    if (this.closes.own || (opcode === Opcode.Close && this.closes.sent)) {
      // It was asked for before the close went out; sending it now would break RFC 6455 section 5.5.1.
      this.recorder.error(`did not send a frame (opcode ${opcode}) to the ${this.receiver}: it had already received a close frame, and nothing may follow one (RFC 6455 section 5.5.1)`);
      return;
    }
    const bytes = this.own.encode(opcode, data);
    this.output.write(bytes);
    const [frame] = this.own.parseOwn(bytes);
    if (!frame) return;
    if (opcode === Opcode.Close) this.closes.sent = this.closes.own = true;
    const shapedBy = this.shapedBy();
    this.whenWritten(shapedBy ? withRule(flags, shapedBy) : flags, arrivedAt, (time, marked, arrived) => {
      this.recorder.recordFrame(this.direction, frame, time, marked, arrived);
      if (opcode === Opcode.Text || opcode === Opcode.Binary) {
        this.recorder.recordMessage(this.direction, {
          opcode, data, truncated: false, compressed: frame.rsv1, size: data.length, frameIndexes: [frame.index], violations: [],
        }, time, marked, arrived);
      }
    });
  }

  /** Writes hand-crafted bytes exactly as given and records the frames they hold. */
  sendRaw(bytes: Buffer): void {
    this.output.write(bytes);
    const frames = this.own.parseOwn(bytes);
    for (const frame of frames) {
      // The user asked for exactly these bytes; a frame after a close is their violation, recorded on the proxy's frame.
      if (this.closes.sent && !frame.violations.includes('frame-after-close')) frame.violations.push('frame-after-close');
      if (frame.opcode === Opcode.Close) this.closes.sent = true;
    }
    this.whenWritten({ injected: true }, undefined, (time, flags, arrivedAt) => {
      for (const frame of frames) this.recorder.recordFrame(this.direction, frame, time, flags, arrivedAt);
    });
  }

  /**
   * Records the proxy's own bytes just written: at once, or, in a shaped direction, when the shaper lets
   * them go (their wire time, with when they were made as their arrival), as dropped if it never does.
   */
  private whenWritten(flags: RelayFlags, arrivedAt: number | undefined, record: (time: number, flags: RelayFlags, arrivedAt: number | undefined) => void): void {
    const made = Date.now();
    if (!this.output.shaped) {
      record(made, flags, arrivedAt);
      return;
    }
    this.output.afterWritten((written) => {
      const time = Date.now();
      record(time, written ? flags : { ...flags, dropped: true }, arrivedAt ?? (time > made ? made : undefined));
    });
  }
}
