// Links a data message to the frame records it was made of. While a message is in progress the
// store keeps its data frames (per connection and direction); when the message comes, it learns its
// frames' numbers, and whether its data is exactly their stored payloads (then the data is not
// stored a second time: it is rebuilt from the frames when read).
import type { Message, WirePayload } from '../protocol/frame.js';
import type { CapturedFrame, CapturedMessage } from './capture-model.js';

/** A frame of a message in progress, kept until the message comes, to know its frames and whether its data is theirs. */
export interface AssemblingFrame {
  /** Index in its direction's stream. */
  index: number;
  /** Number in the connection. */
  number: number;
  /** Its stored payload (null when not stored): unmasked, or the wire bytes it was stored as. */
  payload: Buffer | WirePayload | null;
}

/** Frames tracked per message in progress before giving up on linking them (a pathological fragment storm). */
const MAX_ASSEMBLING_FRAMES = 65_536;

export class MessageFrames {
  /** Per connection, the frames of the message in progress: client to server, then server to client. */
  private readonly assembling = new Map<number, [AssemblingFrame[], AssemblingFrame[]]>();

  /** Keeps the data frames of the message in progress in a direction, to link them to the message. */
  track(connectionId: number, captured: CapturedFrame, n: number, stored: boolean): void {
    const opcode = captured.frame.opcode;
    // Only text, binary and continuation frames make messages (RFC 6455 §5.4).
    if (opcode > 2) return;
    let lists = this.assembling.get(connectionId);
    if (!lists) {
      lists = [[], []];
      this.assembling.set(connectionId, lists);
    }
    const list = lists[captured.direction === 'receive' ? 1 : 0];
    if (opcode !== 0) list.length = 0;
    if (list.length >= MAX_ASSEMBLING_FRAMES) {
      list.length = 0;
      return;
    }
    list.push({ index: captured.frame.index, number: n, payload: stored ? (captured.frame.wire ?? captured.frame.payload) : null });
  }

  /** The frames of a message, from those tracked for its direction, or null when some are unknown. */
  framesOf(connectionId: number, captured: CapturedMessage): AssemblingFrame[] | null {
    const lists = this.assembling.get(connectionId);
    if (!lists) return null;
    const list = lists[captured.direction === 'receive' ? 1 : 0];
    const indexes = captured.message.frameIndexes;
    const found: AssemblingFrame[] = [];
    // Both are in stream order: one pass.
    let at = 0;
    for (const index of indexes) {
      while (at < list.length && list[at].index !== index) at++;
      if (at === list.length) break;
      found.push(list[at++]);
    }
    // The message is done: its frames need no tracking.
    list.length = 0;
    return found.length === indexes.length && found.length > 0 ? found : null;
  }

  /** A connection ended: nothing of it is in progress any more. */
  forget(connectionId: number): void {
    this.assembling.delete(connectionId);
  }
}

/**
 * True when the message's data is exactly the frames' stored payloads, one after the other. Wire
 * bytes are the same only as the same object: a one-frame message shares its frame's.
 */
export function dataIsPayloads(message: Message, frames: readonly AssemblingFrame[]): boolean {
  if (message.wire) return frames.length === 1 && frames[0].payload === message.wire;
  const data = message.data;
  let total = 0;
  for (const f of frames) {
    if (!Buffer.isBuffer(f.payload)) return false;
    total += f.payload.length;
  }
  if (total !== data.length) return false;
  if (frames.length === 1 && frames[0].payload === data) return true;
  let at = 0;
  for (const f of frames) {
    const p = f.payload as Buffer;
    if (data.compare(p, 0, p.length, at, at + p.length) !== 0) return false;
    at += p.length;
  }
  return true;
}
