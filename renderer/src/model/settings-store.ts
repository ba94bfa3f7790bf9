// What the user chose about the window itself: theme and how times are written. Kept in localStorage.
import { Observable } from './observable.js';

export type Theme = 'light' | 'dark';
export type TimeFormat = 'absolute' | 'relative' | 'epoch';

const KEY = 'framescope.settings';

interface Saved { theme?: Theme; timeFormat?: TimeFormat; ratePlot?: boolean }

export class SettingsStore extends Observable {
  theme: Theme;
  timeFormat: TimeFormat;
  /** The rate plot above the frame timeline is shown. */
  ratePlot: boolean;
  readonly initialized = Promise.resolve();

  constructor(private readonly storage: Storage | undefined, prefersDark: boolean) {
    super();
    let saved: Saved = {};
    try {
      saved = JSON.parse(storage?.getItem(KEY) ?? '{}') as Saved;
    } catch {
      // A damaged entry means defaults.
    }
    this.theme = saved.theme ?? (prefersDark ? 'dark' : 'light');
    this.timeFormat = saved.timeFormat ?? 'absolute';
    this.ratePlot = saved.ratePlot ?? true;
  }

  setTheme(theme: Theme): void {
    this.theme = theme;
    this.save();
  }

  setTimeFormat(format: TimeFormat): void {
    this.timeFormat = format;
    this.save();
  }

  setRatePlot(on: boolean): void {
    this.ratePlot = on;
    this.save();
  }

  private save(): void {
    try {
      this.storage?.setItem(KEY, JSON.stringify({ theme: this.theme, timeFormat: this.timeFormat, ratePlot: this.ratePlot } satisfies Saved));
    } catch {
      // Storage may be full or off; the choice still holds for this window.
    }
    this.changed();
  }
}
