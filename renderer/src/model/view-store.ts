// What the window shows that is not engine state: the active tab, the open dialog, the frame
// detail's tab, notices. Kept apart from the domain stores so those stay free of layout concerns.
import { Observable } from './observable.js';

export type MainTab = 'frames' | 'handshake' | 'composer' | 'intercept';
export type DetailTab = 'payload' | 'header' | 'hex' | 'protocol' | 'decode';
export type Dialog = 'open-session' | 'save-session' | 'new-session' | 'connect-help' | 'errors' | 'open-client' | 'replay' | 'close-connection' | undefined;

export type FocusTarget = 'search' | 'detail' | 'list';

export interface Notice {
  id: number;
  text: string;
  kind: 'info' | 'error';
}

export class ViewStore extends Observable {
  tab: MainTab = 'frames';
  detailTab: DetailTab = 'payload';
  dialog: Dialog;
  /** The frame detail panel is open (a frame is selected and not dismissed). */
  detailOpen = false;
  notices: Notice[] = [];
  /**
   * Where the keyboard focus was asked to go (Ctrl/Cmd+F: the search box; Enter: the detail; Escape in
   * the detail: the list), until the view it names takes it. Taken once: a view that mounts later
   * (another connection selected) does not take it again.
   */
  focusRequest: { target: FocusTarget; seq: number } | undefined;
  /** A frame (or, in a message list, a message) to scroll to and select: from the rate plot or a search hit. */
  reveal: { kind: 'frame' | 'message'; number: number; seq: number } | undefined;
  private nextNotice = 1;
  private focusSeq = 0;
  readonly initialized = Promise.resolve();

  setTab(tab: MainTab): void {
    this.tab = tab;
    this.changed();
  }

  setDetailTab(tab: DetailTab): void {
    this.detailTab = tab;
    this.changed();
  }

  open(dialog: Dialog): void {
    this.dialog = dialog;
    this.changed();
  }

  setDetailOpen(open: boolean): void {
    this.detailOpen = open;
    this.changed();
  }

  focusSearch(): void {
    this.tab = 'frames';
    this.requestFocus('search');
  }

  focusDetail(): void {
    this.detailOpen = true;
    this.requestFocus('detail');
  }

  /** Closes the detail and gives the focus back to the list. */
  closeDetailToList(): void {
    this.detailOpen = false;
    this.requestFocus('list');
  }

  /** Whether the focus was asked for by this target; if so the request is taken (once). */
  takeFocus(target: FocusTarget): boolean {
    if (this.focusRequest?.target !== target) return false;
    this.focusRequest = undefined;
    return true;
  }

  private requestFocus(target: FocusTarget): void {
    // Never reused, even once a request was taken: views run their effect when the number moves.
    this.focusRequest = { target, seq: ++this.focusSeq };
    this.changed();
  }

  revealFrame(number: number): void {
    this.reveal = { kind: 'frame', number, seq: (this.reveal?.seq ?? 0) + 1 };
    this.changed();
  }

  revealMessage(number: number): void {
    this.reveal = { kind: 'message', number, seq: (this.reveal?.seq ?? 0) + 1 };
    this.changed();
  }

  /** Shows a short notice for a few seconds. */
  notify(text: string, kind: Notice['kind'] = 'info'): void {
    const id = this.nextNotice++;
    this.notices = [...this.notices, { id, text, kind }].slice(-4);
    this.changed();
    setTimeout(() => this.dismiss(id), kind === 'error' ? 8000 : 3500);
  }

  dismiss(id: number): void {
    this.notices = this.notices.filter((n) => n.id !== id);
    this.changed();
  }
}
