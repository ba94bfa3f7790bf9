// The desktop API's channels and message shapes, shared by main.ts and preload.cts. The renderer sees
// only `window.framescopeDesktop` (typed in renderer/src/desktop.d.ts), never ipcRenderer.

export const DESKTOP_CHANNELS = {
  pickOpenPath: 'framescope:pick-open-path',
  pickSavePath: 'framescope:pick-save-path',
  menu: 'framescope:menu',
} as const;

export interface FileFilter { name: string; extensions: string[] }

export interface OpenFileRequest {
  /** The dialog's title. */
  title: string;
  /** File type filters, e.g. HAR. */
  filters: FileFilter[];
}

export interface SaveFileRequest {
  /** The dialog's title. */
  title: string;
  /** Suggested file name. */
  defaultName: string;
  /** File type filters. */
  filters: FileFilter[];
}

/** Menu items the window handles itself. */
export type MenuCommand = 'new-session' | 'open-session' | 'save-session' | 'import-har' | 'export-har' | 'open-capture' | 'export-pcapng';
