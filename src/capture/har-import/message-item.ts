// One `_webSocketMessages` item into a captured message whose data waits in the spool.
import { Opcode } from '../../protocol/frame.js';
import type { Message } from '../../protocol/frame.js';
import type { CapturedMessage } from '../capture-model.js';
import { SpooledData } from './data-spool.js';
import { arrivedField, noteField, timeField, type FieldReport } from './item-fields.js';
import { bad, isObject } from './json-values.js';

const EMPTY = Buffer.alloc(0);

/** A message read from an item (its time NaN when unreadable), or a browser's error, or nothing (skipped). */
export type MessageItem = { captured: CapturedMessage; data: SpooledData } | { error: string } | undefined;

/** Reads item i, reporting what it skips or repairs. */
export function readMessageItem(item: unknown, i: number, report: FieldReport): MessageItem {
  const field = `_webSocketMessages[${i}]`;
  if (!isObject(item)) {
    report(field, 'not an object; message skipped');
    return undefined;
  }
  if (item.type === 'error') {
    // Chrome DevTools lists the errors it saw on a WebSocket among the messages (opcode -1).
    const text = typeof item.data === 'string' ? item.data : '';
    report(`${field}.type`, `an error the browser recorded, not a message: "${text}"; skipped`);
    return { error: text };
  }
  if (item.type !== 'send' && item.type !== 'receive') {
    report(`${field}.type`, `${bad(item.type, '"send" or "receive"')}; message skipped`);
    return undefined;
  }
  // The stream reader has put every string's data in the spool.
  if (!(item.data instanceof SpooledData)) {
    report(`${field}.data`, 'not a string; message skipped');
    return undefined;
  }
  const spooled = item.data;
  if (item.opcode === Opcode.Close || item.opcode === Opcode.Ping || item.opcode === Opcode.Pong) {
    report(`${field}.opcode`, `${String(item.opcode)} is a control frame, not a data message; skipped`);
    return undefined;
  }
  let opcode: number = Opcode.Text;
  if (item.opcode === Opcode.Binary) opcode = Opcode.Binary;
  else if (item.opcode !== Opcode.Text) report(`${field}.opcode`, `${bad(item.opcode, '1 (text) or 2 (binary)')}; read as text`);
  if (!spooled.valid) {
    report(`${field}.data`, 'not valid base64 for a binary message; message skipped');
    return undefined;
  }
  let truncated = false;
  if (item.truncated === true) truncated = true;
  else if (item.truncated !== undefined && item.truncated !== false) report(`${field}.truncated`, `${bad(item.truncated, 'true or false')}; read as false`);
  // A truncated message's whole size (Framescope writes it as _truncated); the data holds only its start.
  let size = spooled.length;
  if (item._truncated !== undefined) {
    if (typeof item._truncated === 'number' && Number.isSafeInteger(item._truncated) && item._truncated >= spooled.length) {
      size = item._truncated;
      truncated = true;
    } else {
      report(`${field}._truncated`, `${bad(item._truncated, `a whole number of bytes >= the ${spooled.length} bytes of data`)}; ignored`);
    }
  }
  // The data stays in the spool until the record is written.
  const message: Message = { opcode, data: EMPTY, truncated, compressed: false, size, frameIndexes: [], violations: [] };
  const captured: CapturedMessage = { direction: item.type, time: timeField(item.time, `${field}.time`, 'message', report), message };
  const arrivedAt = arrivedField(item._arrived, `${field}._arrived`, report);
  if (arrivedAt !== undefined) captured.arrivedAt = arrivedAt;
  // Framescope's flags on messages it made, edited or held back.
  for (const flag of ['injected', 'edited', 'dropped'] as const) {
    if (item[flag] === true) captured[flag] = true;
    else if (item[flag] !== undefined && item[flag] !== false) report(`${field}.${flag}`, `${bad(item[flag], 'true or false')}; read as false`);
  }
  const note = noteField(item._notes, `${field}._notes`, report);
  if (note) captured.note = note;
  // The rules that acted on it (Framescope's `_rule`).
  if (typeof item._rule === 'string' && item._rule !== '') captured.rule = item._rule;
  else if (item._rule !== undefined) report(`${field}._rule`, `${bad(item._rule, 'a rule name')}; ignored`);
  return { captured, data: spooled };
}
