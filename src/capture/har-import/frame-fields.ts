// One `_webSocketFrames` item: its JSON fields, and the Frame they describe.
import { Opcode } from '../../protocol/frame.js';
import type { Frame, LengthForm } from '../../protocol/frame.js';
import type { HarFrameFields } from '../../protocol/frame-json.js';
import { encodeClosePayload, minimalLengthForm } from '../../protocol/frame-encoder.js';
import { lengthFromJson } from '../../protocol/exact-length.js';
import type { ViolationCode } from '../../protocol/violations.js';
import { bad, isInteger, isObject, violationList } from './json-values.js';
import type { Report } from './json-values.js';

const EMPTY = Buffer.alloc(0);

/**
 * The reverse of frameToJson: the fields of one `_webSocketFrames` item. Returns undefined when the item
 * lacks what a frame cannot do without (opcode, payloadLength); other bad fields are reported and left at
 * their defaults (false bits, no mask key, no close code, no violations). `type` and `time` are copied when
 * valid and left out otherwise; the caller decides whether it can do without them.
 */
export function frameFromJson(value: unknown, report: Report): HarFrameFields | undefined {
  if (!isObject(value)) {
    report('', 'not an object; frame skipped');
    return undefined;
  }
  if (!isInteger(value.opcode) || value.opcode < 0 || value.opcode > 15) {
    report('opcode', `${bad(value.opcode, 'an opcode (0-15)')}; frame skipped`);
    return undefined;
  }
  // A number where exact, a decimal string past 2^53 − 1 (what frameToJson writes).
  const length = lengthFromJson(value.payloadLength);
  if (length === undefined) {
    report('payloadLength', `${bad(value.payloadLength, 'a length (up to 2^64 − 1)')}; frame skipped`);
    return undefined;
  }
  const bit = (name: 'fin' | 'rsv1' | 'rsv2' | 'rsv3' | 'masked'): boolean => {
    const v = value[name];
    if (typeof v === 'boolean') return v;
    report(name, `${bad(v, 'true or false')}; read as false`);
    return false;
  };
  const fields: HarFrameFields = {
    fin: bit('fin'), rsv1: bit('rsv1'), rsv2: bit('rsv2'), rsv3: bit('rsv3'),
    opcode: value.opcode, masked: bit('masked'), payloadLength: length.payloadLengthExact?.toString() ?? length.payloadLength,
  };
  if (value.type === 'send' || value.type === 'receive') fields.type = value.type;
  if (typeof value.time === 'number' && Number.isFinite(value.time)) fields.time = value.time;
  if (value.maskKey !== undefined) {
    if (typeof value.maskKey === 'string' && /^[0-9a-fA-F]{8}$/.test(value.maskKey)) fields.maskKey = value.maskKey.toLowerCase();
    else report('maskKey', `${bad(value.maskKey, '8 hex digits')}; left out`);
  }
  if (value.closeCode !== undefined) {
    if (isInteger(value.closeCode) && value.closeCode >= 0 && value.closeCode <= 0xffff) fields.closeCode = value.closeCode;
    else report('closeCode', `${bad(value.closeCode, 'a 16-bit code')}; left out`);
  }
  if (value.closeReason !== undefined) {
    if (typeof value.closeReason === 'string') fields.closeReason = value.closeReason;
    else report('closeReason', 'not a string; left out');
  }
  if (value.violations !== undefined) fields.violations = violationList(value.violations, 'violations', report);
  return fields;
}

/** A Frame from its HAR fields; the payload is known only when empty or a close frame's. */
export function frameFromFields(fields: HarFrameFields, index: number, offset: number): Frame {
  const violations = fields.violations ?? [];
  const length = lengthFromJson(fields.payloadLength) ?? { payloadLength: 0 };
  const lengthForm = lengthFormOf(length.payloadLength, violations);
  const headerLength = 2 + (lengthForm === 16 ? 2 : lengthForm === 64 ? 8 : 0) + (fields.masked ? 4 : 0);
  const payload = knownPayload(fields, violations);
  const frame: Frame = {
    fin: fields.fin, rsv1: fields.rsv1, rsv2: fields.rsv2, rsv3: fields.rsv3, opcode: fields.opcode, masked: fields.masked,
    payloadLength: length.payloadLength, lengthForm, headerLength, index, offset, payload,
    truncated: payload.length < length.payloadLength, violations,
  };
  if (length.payloadLengthExact !== undefined) frame.payloadLengthExact = length.payloadLengthExact;
  if (fields.maskKey !== undefined) frame.maskKey = Buffer.from(fields.maskKey, 'hex');
  if (fields.closeCode !== undefined) frame.closeCode = fields.closeCode;
  if (fields.closeReason !== undefined) frame.closeReason = fields.closeReason;
  return frame;
}

/** The length form: minimal unless the frame broke that rule (RFC 6455 §5.2), in which case the HAR does not say which. */
function lengthFormOf(length: number, violations: readonly ViolationCode[]): LengthForm {
  const minimal = minimalLengthForm(length);
  if (violations.includes('length-top-bit-set')) return 64;
  if (!violations.includes('non-minimal-length')) return minimal;
  return minimal === 7 ? 16 : 64;
}

function knownPayload(fields: HarFrameFields, violations: readonly ViolationCode[]): Buffer {
  if (Number(fields.payloadLength) === 0) return EMPTY;
  // RFC 6455 §5.5.1: a close payload is the 2-byte code and the UTF-8 reason.
  if (fields.opcode === Opcode.Close && fields.closeCode !== undefined && !violations.includes('invalid-utf8-close-reason')) {
    const payload = encodeClosePayload(fields.closeCode, fields.closeReason ?? '');
    if (payload.length === Number(fields.payloadLength)) return payload;
  }
  return EMPTY;
}
