// What the window shows that is not engine state: the active tab, the open dialog, the frame
// detail's tab, notices. Kept apart from the domain stores so those stay free of layout concerns.
import { Observable } from './observable.js';

export type MainTab = 'frames' | 'handshake' | 'composer' | 'intercept';
export type DetailTab = 'payload' | 'header' | 'hex';
export type Dialog = 'open-session' | 'save-session' | 'new-session' | 'connect-help' | 'errors' | 'open-client' | 'replay' | 'close-connection' | undefined;

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
  /** Bumped to ask the search box to take focus (Ctrl/Cmd+F). */
  searchFocus = 0;
  /** Bumped to ask the frame detail to take focus (Enter). */
  detailFocus = 0;
  /** Bumped to ask the frame (or message) list to take focus (Escape in the detail). */
  listFocus = 0;
  /** A frame (or, in a message list, a message) to scroll to and select: from the rate plot or a search hit. */
  reveal: { kind: 'frame' | 'message'; number: number; seq: number } | undefined;
  private nextNotice = 1;
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
    this.searchFocus++;
    this.changed();
  }

  focusDetail(): void {
    this.detailOpen = true;
    this.detailFocus++;
    this.changed();
  }

  /** Closes the detail and gives the focus back to the list. */
  closeDetailToList(): void {
    this.detailOpen = false;
    this.listFocus++;
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
