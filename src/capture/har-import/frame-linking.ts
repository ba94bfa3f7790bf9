// Frames back to messages: each direction's frames grouped the way the message assembler groups them.
import { MESSAGE_VIOLATIONS } from '../../protocol/message-assembler.js';
import { Opcode } from '../../protocol/frame.js';
import type { Frame, Message } from '../../protocol/frame.js';
import type { ViolationCode } from '../../protocol/violations.js';
import type { CapturedFrame } from '../capture-model.js';

/** The frames of one data message, as the message assembler groups them. */
export interface FrameGroup {
  /** Its frames, first to last. */
  frames: CapturedFrame[];
  /** It ended without its final frame (interleaved, closed or cut short): 'unfinished-message'. */
  abandoned: boolean;
}

/** Groups one direction's frames into data messages in the order the assembler emits them (RFC 6455 §5.4). */
export function groupIntoMessages(frames: CapturedFrame[]): FrameGroup[] {
  const groups: FrameGroup[] = [];
  const grouper = new FrameGrouper((group) => groups.push(group));
  for (const captured of frames) grouper.push(captured);
  grouper.end();
  return groups;
}

/** groupIntoMessages one frame at a time: each group goes to emit as soon as it is complete. */
export class FrameGrouper {
  private pending: FrameGroup | null = null;

  constructor(private readonly emit: (group: FrameGroup) => void) {}

  push(captured: CapturedFrame): void {
    const { opcode, fin, violations } = captured.frame;
    let target: FrameGroup | null = null;
    if (opcode === Opcode.Continuation) {
      if (this.pending) {
        this.pending.frames.push(captured);
        target = this.pending;
      }
    } else if (opcode === Opcode.Text || opcode === Opcode.Binary) {
      if (this.pending) {
        this.pending.abandoned = true;
        this.emit(this.pending);
      }
      this.pending = target = { frames: [captured], abandoned: false };
    } else if (opcode === Opcode.Close && this.pending) {
      this.pending.abandoned = true;
      this.emit(this.pending);
      this.pending = null;
    }
    // A frame cut short by the end of the stream never completes its message.
    if (target && fin && !violations.includes('truncated-frame')) {
      this.emit(target);
      this.pending = null;
    }
  }

  end(): void {
    if (this.pending) {
      this.pending.abandoned = true;
      this.emit(this.pending);
      this.pending = null;
    }
  }
}

/**
 * Fills in a message's frame links and, when the message determines them, where its frames' payloads
 * are: bytes [at, at + payloadLength) of its data (dataLength bytes), told to setPayload.
 */
export function restoreMessage(message: Message, group: FrameGroup, deflate: boolean, dataLength: number, setPayload: (frame: Frame, at: number) => void): void {
  const frames = group.frames.map((f) => f.frame);
  message.frameIndexes = frames.map((f) => f.index);
  // RFC 7692 §6: RSV1 on the first frame marks the message compressed (when the extension is on).
  message.compressed = frames[0]!.rsv1 && deflate;
  const violations: ViolationCode[] = [];
  for (const frame of frames) {
    for (const code of frame.violations) if (MESSAGE_VIOLATIONS.has(code) && !violations.includes(code)) violations.push(code);
  }
  if (group.abandoned) violations.push('unfinished-message');
  message.violations = violations;
  const wireLength = frames.reduce((sum, f) => sum + f.payloadLength, 0);
  if (message.truncated && !message.compressed) message.size = wireLength;
  const whole = !message.compressed && !message.truncated && !violations.includes('invalid-utf8') &&
    wireLength === dataLength && frames.every((f) => !f.violations.includes('truncated-frame'));
  if (!whole) return;
  let at = 0;
  for (const frame of frames) {
    setPayload(frame, at);
    frame.truncated = false;
    at += frame.payloadLength;
  }
}
