// The frame list's column heads, each a button that sorts the list by its column (engine-side, so a
// million frames sort without shipping rows): a new column sorts ascending, the same one again
// descending; # goes back to wire order. Filters and search compose with the sort.
import type { FrameListSort } from '../../api/wire.js';
import type { TimeFormat } from '../../model/settings-store.js';
import type { FramesStore } from '../../model/frames-store.js';
import { Icon } from '../common/Icon.js';
import { timeHeading } from '../time-format.js';

interface HeadSpec {
  /** The column's sort, or undefined for # (wire order). */
  key: FrameListSort['key'] | undefined;
  label: string;
  title: string;
  numeric?: boolean;
}

function heads(format: TimeFormat): HeadSpec[] {
  return [
    { key: undefined, label: '#', title: 'Frame number: wire order', numeric: true },
    { key: 'time', label: timeHeading(format), title: 'When the proxy saw the frame' },
    { key: 'direction', label: 'Dir', title: 'Direction: sent first' },
    { key: 'opcode', label: 'Opcode', title: 'Opcode' },
  ];
}

/** The heads of a frame row, in the frame list's column order; Flags and Payload do not sort. */
export function FrameSortHeads({ frames, format }: { frames: FramesStore; format: TimeFormat }) {
  return (
    <>
      {heads(format).map((h) => <SortHead key={h.label} frames={frames} spec={h} />)}
      <span className="th" title="FIN, RSV1, RSV2, RSV3, MASK">Flags</span>
      <SortHead frames={frames} spec={{ key: 'length', label: 'Length', title: "Payload bytes on the wire; for a compressed message's last frame: wire / inflated", numeric: true }} />
      <span className="th">Payload</span>
      <span className="th" title="The application protocol packet the frame's message holds (the connection's lens)">Protocol</span>
      <SortHead frames={frames} spec={{ key: 'violations', label: 'Notes', title: 'Violations and proxy marks; sorts by the number of violations' }} />
    </>
  );
}

function SortHead({ frames, spec }: { frames: FramesStore; spec: HeadSpec }) {
  const sort = frames.sort;
  const active = spec.key === undefined ? sort === undefined : sort?.key === spec.key;
  const descending = spec.key !== undefined && active && sort?.descending === true;
  return (
    <button
      role="columnheader"
      className={`th sortable ${spec.numeric ? 'num' : ''} ${active ? 'sorted' : ''}`}
      title={`${spec.title}: sort`}
      aria-sort={active ? (descending ? 'descending' : 'ascending') : 'none'}
      data-sort-key={spec.key ?? 'number'}
      onClick={() => frames.sortBy(spec.key)}
    >
      {spec.label}
      {active && spec.key !== undefined ? <Icon name={descending ? 'down' : 'up'} size={11} /> : null}
    </button>
  );
}
