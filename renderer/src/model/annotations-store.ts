// The session's notes, pins and highlights (the engine keeps them in the capture file). All of them
// are held here (a session has few), by target; saved through the control API, and every UI applies
// the 'annotation' events, so two windows on one session agree.
import type { ControlClient } from '../api/control-client.js';
import type { Annotation, AnnotationInput, AnnotationTarget, ControlEvent, Highlight } from '../api/wire.js';
import { Observable } from './observable.js';

export const HIGHLIGHT_COLOURS: readonly Highlight[] = ['red', 'orange', 'yellow', 'green', 'blue', 'purple'];

const keyOf = (connectionId: number, target: AnnotationTarget, number: number) => `${connectionId}/${target}/${number}`;
const isEmpty = (a: Pick<Annotation, 'note' | 'pinned' | 'highlight'>) => a.note === '' && !a.pinned && a.highlight === undefined;

export class AnnotationsStore extends Observable {
  private marks = new Map<string, Annotation>();
  initialized: Promise<void>;

  constructor(private readonly client: ControlClient) {
    super();
    this.initialized = this.load();
  }

  /** Reads the browsed session's marks afresh (after a session switch or a reconnect). */
  load(): Promise<void> {
    this.initialized = this.client.request('listAnnotations', {}).then((list) => {
      this.marks = new Map(list.map((a) => [keyOf(a.connectionId, a.target, a.number), a]));
      this.changed();
    }, () => undefined);
    return this.initialized;
  }

  get(connectionId: number, target: AnnotationTarget, number: number): Annotation | undefined {
    return this.marks.get(keyOf(connectionId, target, number));
  }

  /** The pinned frames or messages of a connection, in order. */
  pinned(connectionId: number, target: AnnotationTarget): Annotation[] {
    return [...this.marks.values()].filter((a) => a.connectionId === connectionId && a.target === target && a.pinned).sort((a, b) => a.number - b.number);
  }

  /** Changes a mark: the fields given replace the current ones. */
  async update(connectionId: number, target: AnnotationTarget, number: number, change: { note?: string; pinned?: boolean; highlight?: Highlight | null }): Promise<void> {
    const current = this.get(connectionId, target, number);
    const highlight = change.highlight === undefined ? current?.highlight ?? null : change.highlight;
    const input: AnnotationInput = { connectionId, target, number, note: change.note ?? current?.note ?? '', pinned: change.pinned ?? current?.pinned ?? false, highlight };
    this.put(await this.client.request('setAnnotation', { annotation: input }));
  }

  apply(events: readonly ControlEvent[]): void {
    let changed = false;
    for (const event of events) {
      if (event.kind !== 'annotation') continue;
      this.put(event.annotation, false);
      changed = true;
    }
    if (changed) this.changed();
  }

  private put(a: Annotation, notify = true): void {
    const key = keyOf(a.connectionId, a.target, a.number);
    if (isEmpty(a)) this.marks.delete(key);
    else this.marks.set(key, a);
    if (notify) this.changed();
  }
}
