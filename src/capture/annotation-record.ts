// The Annotation record's body (type 8): the mark as JSON. Apart from annotations.ts, which the UI
// reads for its types, because this half is Node's (Buffer).
import { validAnnotation, type Annotation } from './annotations.js';

export function encodeAnnotationBody(annotation: Annotation): Buffer {
  const { connectionId, target, number, note, pinned, highlight, time, lens } = annotation;
  return Buffer.from(JSON.stringify({ connectionId, target, number, note, pinned, ...(highlight ? { highlight } : {}), time, ...(lens ? { lens } : {}) }), 'utf8');
}

/** An Annotation record's body, or null when it is not one (the file is input). */
export function decodeAnnotationBody(body: Buffer): Annotation | null {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as Partial<Record<keyof Annotation, unknown>>;
    if (typeof parsed !== 'object' || parsed === null) return null;
    const time = typeof parsed.time === 'number' && Number.isFinite(parsed.time) ? parsed.time : 0;
    return validAnnotation(parsed, time);
  } catch {
    return null;
  }
}
