// Which columns the frame list shows (the column chooser), kept in localStorage. The list's grid
// takes the shown columns' widths; a hidden column's cells are not displayed.
import { Observable } from './observable.js';

export interface FrameColumn {
  id: string;
  label: string;
  /** Its track in the list's grid. */
  width: string;
  /** Always shown (the row's identity). */
  fixed?: boolean;
}

/** The frame list's columns, in order (the order of a row's cells). */
export const FRAME_COLUMNS: readonly FrameColumn[] = [
  { id: 'number', label: '#', width: '70px', fixed: true },
  { id: 'time', label: 'Time', width: '100px' },
  { id: 'direction', label: 'Direction', width: '34px' },
  { id: 'opcode', label: 'Opcode', width: '86px' },
  { id: 'flags', label: 'Flags', width: '92px' },
  { id: 'length', label: 'Length', width: '104px' },
  { id: 'payload', label: 'Payload', width: 'minmax(160px, 1fr)' },
  { id: 'protocol', label: 'Protocol', width: 'minmax(120px, 260px)' },
  { id: 'notes', label: 'Notes', width: '170px' },
];

const KEY = 'framescope.frameColumns';

export class ColumnsStore extends Observable {
  private hidden: Set<string>;

  constructor(private readonly storage: Storage | undefined) {
    super();
    let saved: unknown = [];
    try {
      saved = JSON.parse(storage?.getItem(KEY) ?? '[]');
    } catch {
      // A damaged entry means every column.
    }
    this.hidden = new Set(Array.isArray(saved) ? saved.filter((id): id is string => FRAME_COLUMNS.some((c) => c.id === id && !c.fixed)) : []);
  }

  shown(id: string): boolean {
    return !this.hidden.has(id);
  }

  setShown(id: string, on: boolean): void {
    if (FRAME_COLUMNS.find((c) => c.id === id)?.fixed) return;
    if (on) this.hidden.delete(id);
    else this.hidden.add(id);
    try {
      this.storage?.setItem(KEY, JSON.stringify([...this.hidden]));
    } catch {
      // Storage may be full or off; the choice still holds for this window.
    }
    this.changed();
  }

  /** The grid's tracks for the shown columns. */
  get gridTemplate(): string {
    return FRAME_COLUMNS.filter((c) => this.shown(c.id)).map((c) => c.width).join(' ');
  }

  /** Classes that hide the cells of hidden columns (by position: hide-col-N, from 1). */
  get hiddenClasses(): string {
    return FRAME_COLUMNS.map((c, i) => (this.shown(c.id) ? '' : `hide-col-${i + 1}`)).filter(Boolean).join(' ');
  }
}
