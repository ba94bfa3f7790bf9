// The classic hex dump: offset, 16 bytes in hex (two groups of 8), and their ASCII, one line at a time
// so a virtualized view formats only the lines it shows.

export const BYTES_PER_LINE = 16;

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export interface HexDumpLine {
  /** The offset of the line's first byte, 8 hex digits. */
  offset: string;
  /** The line's bytes in hex, a double space between the two groups of 8; padded to full width. */
  hex: string;
  /** Printable ASCII as itself, everything else as a dot. */
  ascii: string;
}

export function lineCount(length: number): number {
  return Math.ceil(length / BYTES_PER_LINE);
}

/** Line `line` of the dump of `bytes`. `base` is added to the offsets (e.g. a header's length). */
export function hexDumpLine(bytes: Uint8Array, line: number, base = 0): HexDumpLine {
  const start = line * BYTES_PER_LINE;
  let hex = '';
  let ascii = '';
  for (let i = 0; i < BYTES_PER_LINE; i++) {
    const at = start + i;
    if (i === 8) hex += ' ';
    if (at < bytes.length) {
      const b = bytes[at]!;
      hex += HEX[b]! + (i < BYTES_PER_LINE - 1 ? ' ' : '');
      ascii += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.';
    } else {
      hex += '  ' + (i < BYTES_PER_LINE - 1 ? ' ' : '');
    }
  }
  return { offset: (base + start).toString(16).padStart(8, '0'), hex, ascii };
}
