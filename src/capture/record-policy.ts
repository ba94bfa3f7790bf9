// What the live session keeps of the traffic that passes: everything (full), every frame's header
// fields, violations and the first bytes of each payload (headers), or only the connections and their
// handshakes (off). A session records the policy it starts under and every change in a Policy record
// (type 9, JSON: record-policy-record.ts), so a reopened session says plainly how much of its traffic it
// holds. No Node APIs here: the renderer type-checks these types through the control API's.

/** full: every payload byte (up to the stored-payload cap); headers: a payload prefix; off: no frames or messages. */
export type RecordMode = 'full' | 'headers' | 'off';

export const RECORD_MODES: readonly RecordMode[] = ['full', 'headers', 'off'];

/** Payload bytes kept per frame and message under `headers` unless told otherwise. */
export const DEFAULT_RECORD_PREFIX = 256;
/** The largest prefix `headers` may keep (the stored-payload cap applies on top). */
export const MAX_RECORD_PREFIX = 64 * 1024 * 1024;

export interface RecordPolicy {
  /** What is kept. */
  mode: RecordMode;
  /** Under `headers`: payload bytes kept per frame and per message. */
  prefixBytes: number;
}

/** A policy and when it took effect. */
export interface RecordPolicyChange extends RecordPolicy {
  /** Epoch ms. */
  time: number;
}

export const FULL_RECORDING: RecordPolicy = { mode: 'full', prefixBytes: DEFAULT_RECORD_PREFIX };

export function isRecordMode(value: unknown): value is RecordMode {
  return typeof value === 'string' && (RECORD_MODES as readonly string[]).includes(value);
}

/** A checked policy from loose input (the CLI, the control API); throws a one-line reason. */
export function recordPolicyOf(mode: unknown, prefixBytes: unknown = DEFAULT_RECORD_PREFIX): RecordPolicy {
  if (!isRecordMode(mode)) throw new Error(`the recording policy is one of ${RECORD_MODES.join(', ')}, not ${JSON.stringify(mode)}`);
  if (typeof prefixBytes !== 'number' || !Number.isInteger(prefixBytes) || prefixBytes < 0 || prefixBytes > MAX_RECORD_PREFIX) {
    throw new Error(`the kept prefix is a whole number of bytes from 0 to ${MAX_RECORD_PREFIX}, not ${JSON.stringify(prefixBytes)}`);
  }
  return { mode, prefixBytes };
}

/** Payload bytes a frame or message keeps under the policy, given the stored-payload cap. */
export function keptPayload(policy: RecordPolicy, maxStoredPayload: number): number {
  return policy.mode === 'headers' ? Math.min(policy.prefixBytes, maxStoredPayload) : maxStoredPayload;
}

/** The policy in a few words, as the CLI and the UI say it. */
export function describeRecordPolicy(policy: RecordPolicy): string {
  if (policy.mode === 'full') return 'full: every frame and message with its payload';
  if (policy.mode === 'headers') return `headers: every frame's header fields and violations, the first ${policy.prefixBytes} bytes of each payload`;
  return 'off: connections and handshakes only, no frames or messages';
}
