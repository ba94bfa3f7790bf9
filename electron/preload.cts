// The preload: one object of named functions, each one IPC channel. Raw ipcRenderer is never exposed.
// It is CommonJS because sandboxed preloads cannot be ES modules.
import electron = require('electron');
import type { IpcRendererEvent } from 'electron';

const { contextBridge, ipcRenderer } = electron;

// Duplicated from desktop-api.ts on purpose: a sandboxed preload can only require 'electron'.
const CHANNELS = { pickOpenPath: 'framescope:pick-open-path', pickSavePath: 'framescope:pick-save-path', menu: 'framescope:menu' } as const;

interface FileFilter { name: string; extensions: string[] }

contextBridge.exposeInMainWorld('framescopeDesktop', {
  isDesktop: true,
  // Paths only: the engine reads and writes HAR files itself, as streams.
  pickOpenPath: (request: { title: string; filters: FileFilter[] }): Promise<{ path: string } | null> =>
    ipcRenderer.invoke(CHANNELS.pickOpenPath, request),
  pickSavePath: (request: { title: string; defaultName: string; filters: FileFilter[] }): Promise<{ path: string } | null> =>
    ipcRenderer.invoke(CHANNELS.pickSavePath, request),
  onMenu: (listener: (command: string) => void): (() => void) => {
    const wrapped = (_event: IpcRendererEvent, command: string) => listener(command);
    ipcRenderer.on(CHANNELS.menu, wrapped);
    return () => ipcRenderer.off(CHANNELS.menu, wrapped);
  },
});
