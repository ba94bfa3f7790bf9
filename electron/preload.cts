// The preload: one object of named functions, each one IPC channel. Raw ipcRenderer is never exposed.
// It is CommonJS because sandboxed preloads cannot be ES modules.
import electron = require('electron');
import type { IpcRendererEvent } from 'electron';

const { contextBridge, ipcRenderer } = electron;

// Duplicated from desktop-api.ts on purpose: a sandboxed preload can only require 'electron'.
const CHANNELS = { openFile: 'framescope:open-file', saveFile: 'framescope:save-file', menu: 'framescope:menu' } as const;

interface FileFilter { name: string; extensions: string[] }

contextBridge.exposeInMainWorld('framescopeDesktop', {
  isDesktop: true,
  openFile: (request: { title: string; filters: FileFilter[] }): Promise<{ path: string; text: string } | null> =>
    ipcRenderer.invoke(CHANNELS.openFile, request),
  saveFile: (request: { title: string; defaultName: string; filters: FileFilter[]; text: string }): Promise<{ path: string } | null> =>
    ipcRenderer.invoke(CHANNELS.saveFile, request),
  onMenu: (listener: (command: string) => void): (() => void) => {
    const wrapped = (_event: IpcRendererEvent, command: string) => listener(command);
    ipcRenderer.on(CHANNELS.menu, wrapped);
    return () => ipcRenderer.off(CHANNELS.menu, wrapped);
  },
});
