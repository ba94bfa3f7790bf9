// Recording paused by failed writes, and the gap it leaves. While writes to the session's file fail,
// the store records nothing and counts what passed instead; once they succeed again it writes one
// Gap record (type 7, JSON) that says when, why and how much was not recorded, so a reopened
// session shows the hole rather than hiding it.
import type { RecordingGap, RecordingPause } from '../control/api-types.js';
import type { CapturedFrame } from './capture-model.js';

export type { RecordingGap, RecordingPause } from '../control/api-types.js';

/** What a failed write says: its error code, or 'removed' when the session's file was removed. */
export function pauseFor(error: Error, since: number): RecordingPause {
  const code = (error as NodeJS.ErrnoException).code ?? 'EIO';
  return { since, code, reason: error.message };
}

/** Counts what passes while recording is paused. */
export class PausedRecording {
  private frames = 0;
  private messages = 0;
  private bytes = 0;
  private readonly connections = new Set<number>();

  constructor(readonly pause: RecordingPause) {}

  frame(connectionId: number, captured: CapturedFrame): void {
    this.frames++;
    this.bytes += captured.frame.headerLength + captured.frame.payloadLength;
    this.connections.add(connectionId);
  }

  message(connectionId: number): void {
    this.messages++;
    this.connections.add(connectionId);
  }

  /** A connection whose record changed while paused (written again when recording resumes). */
  connection(connectionId: number): void {
    this.connections.add(connectionId);
  }

  /** The gap, ended at `to`. */
  gap(to: number): RecordingGap {
    return {
      from: this.pause.since, to, code: this.pause.code, reason: this.pause.reason,
      frames: this.frames, messages: this.messages, bytes: this.bytes, connectionIds: [...this.connections].sort((a, b) => a - b),
    };
  }
}

export function encodeGapBody(gap: RecordingGap): Buffer {
  const plain: RecordingGap = {
    from: gap.from, to: gap.to, code: gap.code, reason: gap.reason,
    frames: gap.frames, messages: gap.messages, bytes: gap.bytes, connectionIds: gap.connectionIds,
  };
  return Buffer.from(JSON.stringify(plain), 'utf8');
}

/** A Gap record's body; fields of the wrong type read as zero or empty, and a body that is not JSON as null (the file is input). */
export function decodeGapBody(body: Buffer): RecordingGap | null {
  let parsed: Partial<Record<keyof RecordingGap, unknown>>;
  try {
    parsed = JSON.parse(body.toString('utf8')) as Partial<Record<keyof RecordingGap, unknown>>;
    if (typeof parsed !== 'object' || parsed === null) return null;
  } catch {
    return null;
  }
  const number = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : 0);
  return {
    from: number(parsed.from), to: number(parsed.to),
    code: typeof parsed.code === 'string' ? parsed.code : '', reason: typeof parsed.reason === 'string' ? parsed.reason : '',
    frames: number(parsed.frames), messages: number(parsed.messages), bytes: number(parsed.bytes),
    connectionIds: Array.isArray(parsed.connectionIds) ? parsed.connectionIds.filter((id): id is number => Number.isInteger(id)) : [],
  };
}
