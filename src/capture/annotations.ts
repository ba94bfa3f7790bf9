// The user's own marks on what was captured: a note, a pin and a highlight colour on a connection, a
// frame or a message. Saved in the session's capture file as Annotation records (type 8, JSON): the
// last record for a target wins, and one with no note, no pin and no highlight removes the mark.
// Exported in HAR as `_notes` on entries, frames and messages, and read back on import.
// A connection's mark also keeps the protocol lens the user chose for it, so the choice lives in the
// session and survives reopening it.
import { isLensChoice, type LensChoice } from '../protocol/lenses/lens-names.js';

/** Colours a row can be highlighted with. */
export const HIGHLIGHTS = ['red', 'orange', 'yellow', 'green', 'blue', 'purple'] as const;
export type Highlight = (typeof HIGHLIGHTS)[number];

/** What a mark is on: the connection itself, one of its frames, or one of its data messages. */
export type AnnotationTarget = 'connection' | 'frame' | 'message';

export interface Annotation {
  /** The connection. */
  connectionId: number;
  /** What in the connection the mark is on. */
  target: AnnotationTarget;
  /** The frame's or message's number in its connection; 0 for the connection itself. */
  number: number;
  /** Free text; '' for none. */
  note: string;
  /** Pinned: kept at hand in the list. */
  pinned: boolean;
  /** The row's colour, when highlighted. */
  highlight?: Highlight;
  /** When it was last changed, epoch ms. */
  time: number;
  /** On a connection: the protocol lens the user chose (absent: automatic detection). */
  lens?: Exclude<LensChoice, 'auto'>;
}

/** Notes longer than this are cut: a note is a remark, not a document. */
export const MAX_NOTE_LENGTH = 10_000;

/** Whether a mark says anything (an empty one removes the mark). */
export function isEmptyAnnotation(a: Pick<Annotation, 'note' | 'pinned' | 'highlight' | 'lens'>): boolean {
  return a.note === '' && !a.pinned && a.highlight === undefined && a.lens === undefined;
}

/** Checks a mark from a client or a file; throws with what is wrong. */
export function validAnnotation(input: Partial<Record<keyof Annotation, unknown>>, time: number): Annotation {
  const { connectionId, target, number, note, pinned, highlight, lens } = input;
  if (!Number.isInteger(connectionId) || (connectionId as number) < 0) throw new Error('connectionId must be a connection id');
  if (target !== 'connection' && target !== 'frame' && target !== 'message') throw new Error('target must be "connection", "frame" or "message"');
  if (!Number.isInteger(number) || (number as number) < 0 || (target === 'connection' && number !== 0)) throw new Error(`number must be ${target === 'connection' ? '0 for a connection' : `a ${target} number`}`);
  if (note !== undefined && typeof note !== 'string') throw new Error('note must be a string');
  if (pinned !== undefined && typeof pinned !== 'boolean') throw new Error('pinned must be true or false');
  if (highlight !== undefined && highlight !== null && !HIGHLIGHTS.includes(highlight as Highlight)) throw new Error(`highlight must be one of ${HIGHLIGHTS.join(', ')}`);
  if (lens !== undefined && lens !== null && (!isLensChoice(lens) || target !== 'connection')) throw new Error('lens must be a lens name, "auto" or "none", on a connection');
  const annotation: Annotation = {
    connectionId: connectionId as number, target, number: number as number,
    note: (note ?? '').slice(0, MAX_NOTE_LENGTH), pinned: pinned ?? false, time,
  };
  if (highlight !== undefined && highlight !== null) annotation.highlight = highlight as Highlight;
  if (lens !== undefined && lens !== null && lens !== 'auto') annotation.lens = lens as Exclude<LensChoice, 'auto'>;
  return annotation;
}

const keyOf = (connectionId: number, target: AnnotationTarget, number: number) => `${connectionId}/${target}/${number}`;

/** A session's marks, by target. */
export class AnnotationBook {
  private readonly marks = new Map<string, Annotation>();

  /** Records a mark; an empty one removes the target's mark. */
  set(annotation: Annotation): void {
    const key = keyOf(annotation.connectionId, annotation.target, annotation.number);
    if (isEmptyAnnotation(annotation)) this.marks.delete(key);
    else this.marks.set(key, { ...annotation });
  }

  get(connectionId: number, target: AnnotationTarget, number: number): Annotation | undefined {
    const mark = this.marks.get(keyOf(connectionId, target, number));
    return mark && { ...mark };
  }

  /** The marks of one connection (or of all), by connection, then target, then number. */
  list(connectionId?: number): Annotation[] {
    const order: Record<AnnotationTarget, number> = { connection: 0, frame: 1, message: 2 };
    return [...this.marks.values()]
      .filter((a) => connectionId === undefined || a.connectionId === connectionId)
      .sort((a, b) => a.connectionId - b.connectionId || order[a.target] - order[b.target] || a.number - b.number)
      .map((a) => ({ ...a }));
  }
}
