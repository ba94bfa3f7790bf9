// The desktop shell's API (electron/preload.cts), present only inside the Electron window. In a
// browser tab `window.framescopeDesktop` is undefined and the UI uses a file input and downloads.

interface FramescopeFileFilter {
  name: string;
  extensions: string[];
}

interface FramescopeDesktop {
  isDesktop: true;
  /** Shows the native open dialog; null when the user cancels. The engine reads the file at the path. */
  pickOpenPath(request: { title: string; filters: FramescopeFileFilter[] }): Promise<{ path: string } | null>;
  /** Shows the native save dialog; null when the user cancels. The engine writes the file at the path. */
  pickSavePath(request: { title: string; defaultName: string; filters: FramescopeFileFilter[] }): Promise<{ path: string } | null>;
  /** Menu commands the window handles: new-session, open-session, save-session, import-har, export-har. Returns the unsubscriber. */
  onMenu(listener: (command: string) => void): () => void;
}

interface Window {
  framescopeDesktop?: FramescopeDesktop;
}
