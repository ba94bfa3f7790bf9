// The violation catalogue: the engine's own (src/protocol/violations.ts is a pure module, no Node
// APIs), so the UI shows exactly the codes, explanations and RFC sections the engine records.
import { VIOLATIONS, type ViolationInfo } from '../../../src/protocol/violations.js';

export type ViolationText = ViolationInfo;

/** Every known code, in catalogue order (for the violation filter). */
export const VIOLATION_CODES: readonly string[] = Object.keys(VIOLATIONS);

/** The catalogue text of a code; an unknown code (a newer engine) still gets a readable line. */
export function describeViolation(code: string): ViolationText {
  return (VIOLATIONS as Readonly<Record<string, ViolationInfo>>)[code] ?? { explanation: `Violation "${code}" (not in this UI's catalogue).`, rfc: 'RFC 6455', closeCode: 1002 };
}
