// Which frames (or search units) to keep, tested on the in-memory index alone: direction and opcode
// bits and the violation mask, no reads.
import type { ViolationCode } from '../protocol/violations.js';
import { violationBit } from './capture-file.js';
import { opcodeOfBits } from './capture-index.js';
import type { Direction } from './capture-model.js';

/** Which frames (or search units) to keep. Absent fields match everything. */
export interface FrameFilter {
  /** Only this direction. */
  direction?: Direction;
  /** Only this opcode (a message's opcode for messages). */
  opcode?: number;
  /** Only with this violation, or with any violation. */
  violation?: ViolationCode | 'any';
}

/** A test of index bits and a violation mask against a filter (the same bits layout for frames and messages). */
export function frameMatcher(filter: FrameFilter): (bits: number, violations: number) => boolean {
  const direction = filter.direction === undefined ? -1 : filter.direction === 'receive' ? 1 : 0;
  const opcode = filter.opcode ?? -1;
  const violation = filter.violation === undefined ? 0 : filter.violation === 'any' ? 0xffffffff : bitMask(filter.violation);
  const anyViolation = filter.violation !== undefined;
  return (bits, violations) =>
    (direction < 0 || (bits & 1) === direction)
    && (opcode < 0 || opcodeOfBits(bits) === opcode)
    && (!anyViolation || (violations & violation) !== 0);
}

function bitMask(code: string): number {
  const bit = violationBit(code);
  return bit < 0 ? 0 : (1 << bit) >>> 0;
}
