// The message list's view model: one row per data message (sessions imported from other tools' HAR
// keep messages, not wire frames), derived once from the wire summary.
import type { Direction, MessageSummary } from '../api/wire.js';
import { opcodeBadge } from '../protocol/opcodes.js';

export interface MessageRow {
  /** The message's number in its connection. */
  number: number;
  direction: Direction;
  /** Epoch ms when it went on the wire (the list's order). */
  time: number;
  /** Epoch ms when it arrived at the proxy, when earlier than time (it was held or queued). */
  arrivedAt?: number;
  opcode: number;
  /** TEXT or BIN. */
  badge: string;
  /** Application-side size in bytes. */
  size: number;
  /** A one-line preview: text, or hex digits in pairs. */
  preview: string;
  /** The preview is hex digits, not text. */
  previewIsHex: boolean;
  /** It travelled compressed (permessage-deflate); the preview and size are of the inflated data. */
  compressed: boolean;
  /** The stored data is shorter than the message. */
  truncated: boolean;
  violations: readonly string[];
  injected: boolean;
  edited: boolean;
  dropped: boolean;
  /** The rules that changed, dropped, delayed or created it. */
  rule?: string;
}

export function toMessageRow(m: MessageSummary): MessageRow {
  return {
    number: m.number, direction: m.direction, time: m.time, ...(m.arrivedAt !== undefined ? { arrivedAt: m.arrivedAt } : {}), opcode: m.opcode, badge: opcodeBadge(m.opcode), size: m.size,
    preview: m.previewKind === 'hex' ? m.preview.replace(/(..)(?=.)/g, '$1 ') : m.preview.replace(/[\r\n\t]+/g, ' '),
    previewIsHex: m.previewKind === 'hex',
    compressed: m.compressed, truncated: m.truncated, violations: m.violations,
    injected: m.injected, edited: m.edited, dropped: m.dropped,
    ...(m.rule ? { rule: m.rule } : {}),
  };
}
