// The Policy record (type 9) of a capture file: a recording policy and when it took effect, as JSON.
import { recordPolicyOf, type RecordPolicyChange } from './record-policy.js';

export function encodePolicyBody(change: RecordPolicyChange): Buffer {
  return Buffer.from(JSON.stringify({ mode: change.mode, prefixBytes: change.prefixBytes, time: change.time }), 'utf8');
}

/** A policy change from its record body, or undefined when the body is not one (a damaged or foreign record is skipped). */
export function decodePolicyBody(body: Buffer): RecordPolicyChange | undefined {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as Partial<RecordPolicyChange>;
    if (typeof parsed.time !== 'number' || !Number.isFinite(parsed.time)) return undefined;
    return { ...recordPolicyOf(parsed.mode, parsed.prefixBytes), time: parsed.time };
  } catch {
    return undefined;
  }
}
