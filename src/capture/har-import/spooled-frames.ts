// An entry's `_webSocketFrames` while they wait in the spool: which items are frames, their times, and
// their index and offset per direction, in typed arrays; each frame is read back from its item when needed.
import type { CapturedFrame, Direction } from '../capture-model.js';
import { frameFromFields, frameFromJson } from './frame-fields.js';
import { arrivedField, noteField, timeField, type FieldReport } from './item-fields.js';
import { bad } from './json-values.js';
import type { Json } from './json-values.js';
import { SpilledItems } from './spilled-items.js';

const IGNORE: FieldReport = () => {};

export class SpooledFrames {
  constructor(
    private readonly items: SpilledItems | undefined,
    /** The item each frame comes from. */
    private readonly indexes: Uint32Array,
    /** Each frame's time (NaN when unreadable, until fillTimeArray). */
    readonly times: Float64Array,
    /** Each frame's index and offset in its direction. */
    private readonly frameIndexes: Float64Array,
    private readonly offsets: Float64Array,
    /** 1 for a frame sent by the client. */
    private readonly sent: Uint8Array,
  ) {}

  get count(): number {
    return this.indexes.length;
  }

  direction(j: number): Direction {
    return this.sent[j] === 1 ? 'send' : 'receive';
  }

  /** Frame j, in the HAR's order, as the entry reader reads it (its payload known only when empty or a close's). */
  get(j: number): CapturedFrame {
    const i = this.indexes[j]!;
    const item = this.items!.get(i);
    const captured = readFrameItem(item, i, IGNORE, this.frameIndexes[j]!, this.offsets[j]!);
    if (!captured) throw new Error('a spooled frame item no longer reads as a frame');
    captured.time = this.times[j]!;
    return captured;
  }

  /** The frames' numbers by time, those with the same time in the HAR's order. */
  timeOrder(): Uint32Array {
    const order = new Uint32Array(this.count);
    let sorted = true;
    for (let j = 0; j < order.length; j++) {
      order[j] = j;
      if (j > 0 && this.times[j]! < this.times[j - 1]!) sorted = false;
    }
    if (!sorted) order.sort((a, b) => this.times[a]! - this.times[b]! || a - b);
    return order;
  }
}

/** Item i as a frame numbered index at offset in its direction, or undefined (skipped), reporting problems. */
function readFrameItem(item: unknown, i: number, problem: FieldReport, index: number, offset: number): CapturedFrame | undefined {
  const field = `_webSocketFrames[${i}]`;
  const report = (name: string, message: string) => problem(name ? `${field}.${name}` : field, message);
  const fields = frameFromJson(item, report);
  if (!fields) return undefined;
  if (fields.type === undefined) {
    report('type', `${bad((item as Json).type, '"send" or "receive"')}; frame skipped`);
    return undefined;
  }
  const json = item as Json;
  const time = timeField(json.time, `${field}.time`, 'frame', problem);
  const frame = frameFromFields(fields, index, offset);
  const captured: CapturedFrame = { direction: fields.type, time, frame };
  const arrivedAt = arrivedField(json._arrived, `${field}._arrived`, problem);
  if (arrivedAt !== undefined) captured.arrivedAt = arrivedAt;
  for (const flag of ['injected', 'edited', 'dropped'] as const) {
    if (json[flag] === true) captured[flag] = true;
    else if (json[flag] !== undefined && json[flag] !== false) report(flag, `${bad(json[flag], 'true or false')}; read as false`);
  }
  const note = noteField(json._notes, `${field}._notes`, problem);
  if (note) captured.note = note;
  if (typeof json._rule === 'string' && json._rule !== '') captured.rule = json._rule;
  else if (json._rule !== undefined) report('_rule', `${bad(json._rule, 'a rule name')}; ignored`);
  return captured;
}

/** `_webSocketFrames` read through once, problems reported, index and offset counted per direction. */
export function scanFrames(value: unknown, report: FieldReport): { frames: SpooledFrames; first: number } {
  const empty = new Float64Array(0);
  const result = { frames: new SpooledFrames(undefined, new Uint32Array(0), empty, empty, empty, new Uint8Array(0)), first: Infinity };
  if (value === undefined) return result;
  if (!(value instanceof SpilledItems)) {
    report('_webSocketFrames', 'not an array; no frames imported');
    return result;
  }
  const n = value.count;
  const indexes = new Uint32Array(n);
  const times = new Float64Array(n);
  const frameIndexes = new Float64Array(n);
  const offsets = new Float64Array(n);
  const sent = new Uint8Array(n);
  const next: Record<Direction, { index: number; offset: number }> = { send: { index: 0, offset: 0 }, receive: { index: 0, offset: 0 } };
  let count = 0;
  for (let i = 0; i < n; i++) {
    const item = value.get(i);
    // The position is known only once the item reads as a frame (its direction); read it, then place it.
    const captured = readFrameItem(item, i, report, 0, 0);
    if (!captured) continue;
    const position = next[captured.direction];
    indexes[count] = i;
    times[count] = captured.time;
    frameIndexes[count] = position.index;
    offsets[count] = position.offset;
    sent[count] = captured.direction === 'send' ? 1 : 0;
    count += 1;
    position.index += 1;
    position.offset += captured.frame.headerLength + captured.frame.payloadLength;
    if (captured.time < result.first) result.first = captured.time;
  }
  result.frames = new SpooledFrames(value, indexes.slice(0, count), times.slice(0, count), frameIndexes.slice(0, count),
    offsets.slice(0, count), sent.slice(0, count));
  return result;
}
