// Opcode names (RFC 6455 §5.2) for badges and the header table.

/**
 * The short badge text of an opcode, e.g. TEXT, CONT, or "reserved 0x3" for the opcodes RFC 6455
 * §5.2 reserves (not "RSV3": that is the name of a header bit).
 */
export function opcodeBadge(opcode: number): string {
  switch (opcode) {
    case 0x0: return 'CONT';
    case 0x1: return 'TEXT';
    case 0x2: return 'BIN';
    case 0x8: return 'CLOSE';
    case 0x9: return 'PING';
    case 0xa: return 'PONG';
    default: return `reserved 0x${opcode.toString(16).toUpperCase()}`;
  }
}

/** The opcode's name as RFC 6455 §5.2 describes it. */
export function opcodeName(opcode: number): string {
  switch (opcode) {
    case 0x0: return 'continuation frame';
    case 0x1: return 'text frame';
    case 0x2: return 'binary frame';
    case 0x8: return 'connection close';
    case 0x9: return 'ping';
    case 0xa: return 'pong';
    default: return opcode < 8 ? 'reserved non-control frame' : 'reserved control frame';
  }
}

/** Control frames have the opcode's top bit set (RFC 6455 §5.5). */
export function isControlOpcode(opcode: number): boolean {
  return (opcode & 0x8) !== 0;
}

/** The opcodes the filter offers: the defined ones and a reserved group. */
export const FILTER_OPCODES: readonly { value: number; label: string }[] = [
  { value: 0x1, label: 'Text' },
  { value: 0x2, label: 'Binary' },
  { value: 0x0, label: 'Continuation' },
  { value: 0x8, label: 'Close' },
  { value: 0x9, label: 'Ping' },
  { value: 0xa, label: 'Pong' },
  ...[3, 4, 5, 6, 7, 11, 12, 13, 14, 15].map((value) => ({ value, label: `Reserved 0x${value.toString(16).toUpperCase()}` })),
];
