// The decoding of a close frame's payload (RFC 6455 §5.5.1), and (from close-code-names.ts) what
// each close code means and which may be sent on the wire.
import { isUtf8 } from 'node:buffer';
import type { ViolationCode } from './violations.js';
import { isValidWireCloseCode } from './close-code-names.js';

export { describeCloseCode, isValidWireCloseCode, type CloseCodeInfo, type CloseCodeRange } from './close-code-names.js';

/** A close frame's payload, decoded. */
export interface ClosePayload {
  /** The status code, when the payload has at least 2 bytes. */
  code?: number;
  /** The reason (bytes after the code) as text, with U+FFFD for invalid UTF-8; present when code is. */
  reason?: string;
  /** What breaks RFC 6455 §5.5.1 / §7.4, in the order found. */
  violations: ViolationCode[];
}

/**
 * Decodes a close frame's (unmasked) payload: empty, or a 2-byte big-endian code followed by a
 * UTF-8 reason (RFC 6455 §5.5.1). Never throws: problems become violations.
 */
export function parseClosePayload(payload: Buffer): ClosePayload {
  if (payload.length === 0) return { violations: [] };
  if (payload.length === 1) return { violations: ['close-payload-too-short'] };
  const violations: ViolationCode[] = [];
  const code = payload.readUInt16BE(0);
  if (!isValidWireCloseCode(code)) violations.push('invalid-close-code');
  const reasonBytes = payload.subarray(2);
  if (!isUtf8(reasonBytes)) violations.push('invalid-utf8-close-reason');
  return { code, reason: reasonBytes.toString('utf8'), violations };
}
