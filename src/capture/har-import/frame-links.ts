// The ties between an entry's spooled frames and messages (see linkFrames in entry-reader.ts), kept in
// typed arrays: each message's first frame, each frame's next frame in its message, and where each frame's
// payload is in the spool when its message determines it. A message's links are rebuilt when it is read.
import type { CapturedFrame, CapturedMessage, Direction } from '../capture-model.js';
import { SpooledData, type DataSpool } from './data-spool.js';
import { FrameGrouper, restoreMessage, type FrameGroup } from './frame-linking.js';
import type { FieldReport } from './item-fields.js';
import type { SpooledFrames } from './spooled-frames.js';
import type { SpooledMessages } from './spooled-messages.js';

export class FrameLinks {
  /** Message m's first frame, -1 when unlinked. */
  private readonly firstFrame: Int32Array;
  /** It ended without its final frame. */
  private readonly abandoned: Uint8Array;
  /** Frame j's next frame in its message, -1 for the last. */
  private readonly nextFrame: Int32Array;
  /** Where frame j's payload is: its message's spooled data, -1 when its message does not determine it ... */
  private readonly payloadData: Float64Array;
  /** ... and where in that data it starts. */
  private readonly payloadAt: Float64Array;

  constructor(readonly frames: SpooledFrames, readonly messages: SpooledMessages, private readonly deflate: boolean) {
    this.firstFrame = new Int32Array(messages.count).fill(-1);
    this.abandoned = new Uint8Array(messages.count);
    this.nextFrame = new Int32Array(frames.count).fill(-1);
    this.payloadData = new Float64Array(frames.count).fill(-1);
    this.payloadAt = new Float64Array(frames.count);
  }

  /** Links each direction's frames to its messages, as linkFrames did with them whole. */
  link(report: FieldReport): void {
    for (const direction of ['send', 'receive'] as const) {
      let groups = 0;
      let messages = 0;
      let matches = true;
      const cursor = this.messageCursor(direction);
      this.eachGroup(direction, (group) => {
        const next = cursor.next();
        if (next === undefined) matches = false;
        else {
          messages += 1;
          if (group.frames[0]!.frame.opcode !== next.read.captured.message.opcode) matches = false;
        }
        groups += 1;
      });
      // The messages beyond the groups (when there are more) count too.
      while (cursor.next() !== undefined) messages += 1;
      if (!matches || messages !== groups) {
        report('_webSocketFrames', `the ${direction} frames carry ${groups} data messages but _webSocketMessages has ${messages} ${direction} messages (or their opcodes differ); messages are not linked to frames`);
        continue;
      }
      const again = this.messageCursor(direction);
      this.eachGroup(direction, (group, positions) => {
        const { m, read } = again.next()!;
        this.firstFrame[m] = positions[0]!;
        this.abandoned[m] = group.abandoned ? 1 : 0;
        for (let p = 0; p + 1 < positions.length; p++) this.nextFrame[positions[p]!] = positions[p + 1]!;
        const frameAt = new Map(group.frames.map((f, p) => [f.frame, positions[p]!]));
        restoreMessage(read.captured.message, group, this.deflate, read.data.length, (frame, at) => {
          const j = frameAt.get(frame)!;
          this.payloadData[j] = read.data.offset;
          this.payloadAt[j] = at;
        });
      });
    }
  }

  /** Frame j with its payload when its message determines it. */
  frame(j: number, spool: DataSpool): CapturedFrame {
    const captured = this.frames.get(j);
    const data = this.payloadData[j]!;
    if (data >= 0) {
      const length = captured.frame.payloadLength;
      captured.frame.payload = spool.read(new SpooledData(data, this.payloadAt[j]! + length, true), this.payloadAt[j]!, length);
      captured.frame.truncated = false;
    }
    return captured;
  }

  /** Message m with its frame links, and where its data is. */
  message(m: number): { captured: CapturedMessage; data: SpooledData } {
    const read = this.messages.get(m);
    const first = this.firstFrame[m]!;
    if (first < 0) return read;
    const group: FrameGroup = { frames: [], abandoned: this.abandoned[m] === 1 };
    for (let j = first; j >= 0; j = this.nextFrame[j]!) group.frames.push(this.frames.get(j));
    restoreMessage(read.captured.message, group, this.deflate, read.data.length, () => {});
    return read;
  }

  /** Calls back with each group of the direction's frames, with the frames' numbers. */
  private eachGroup(direction: Direction, emit: (group: FrameGroup, positions: number[]) => void): void {
    const positions = new WeakMap<CapturedFrame, number>();
    const grouper = new FrameGrouper((group) => emit(group, group.frames.map((f) => positions.get(f)!)));
    for (let j = 0; j < this.frames.count; j++) {
      if (this.frames.direction(j) !== direction) continue;
      const captured = this.frames.get(j);
      positions.set(captured, j);
      grouper.push(captured);
    }
    grouper.end();
  }

  /** The direction's messages one after another, read from the spool. */
  private messageCursor(direction: Direction): { next(): { m: number; read: { captured: CapturedMessage; data: SpooledData } } | undefined } {
    let m = 0;
    return {
      next: () => {
        for (; m < this.messages.count; m++) {
          const read = this.messages.get(m);
          if (read.captured.direction === direction) return { m: m++, read };
        }
        return undefined;
      },
    };
  }
}
