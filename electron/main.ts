// The Electron shell: starts the engine in a utility process, opens one locked-down window on the
// UI that the engine serves on loopback, and gives native menus and file dialogs. No UI code here.
import { app, BrowserWindow, Menu, dialog, ipcMain, shell, utilityProcess, type IpcMainInvokeEvent, type MenuItemConstructorOptions } from 'electron';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { engineArguments, startupFailure, userArguments } from './engine-launch.js';
import { DESKTOP_CHANNELS, type OpenFileRequest, type SaveFileRequest, type MenuCommand } from './desktop-api.js';

const here = dirname(fileURLToPath(import.meta.url));
// dist/electron/main.js -> the package root holds bin/framescope.js.
const root = join(here, '..', '..');
let uiOrigin = '';
let mainWindow: BrowserWindow | null = null;

/** Starts the engine and resolves with the UI's URL (with its token) once it prints it. */
function startEngine(): Promise<string> {
  return new Promise((resolve, reject) => {
    const args = engineArguments(userArguments(process.argv, process.defaultApp === true));
    const engine = utilityProcess.fork(join(root, 'bin', 'framescope.js'), args, { stdio: 'pipe', serviceName: 'Framescope engine' });
    let output = '';
    let errors = '';
    engine.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /(http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]+)/.exec(output);
      if (match) resolve(match[1]!);
    });
    engine.stderr?.on('data', (chunk: Buffer) => {
      errors += chunk.toString();
      process.stderr.write(chunk);
    });
    engine.once('exit', (code) => {
      if (!uiOrigin) reject(new Error(startupFailure(code, errors)));
      else app.quit();
    });
    app.once('will-quit', () => engine.kill());
  });
}

/** Every IPC call must come from our own UI's top frame, never from another origin. */
function fromOurUi(event: IpcMainInvokeEvent): boolean {
  const frame = event.senderFrame;
  return frame !== null && frame.parent === null && new URL(frame.url).origin === uiOrigin;
}

function registerIpc(): void {
  // The dialogs return paths only: the engine reads and writes the file itself, as a stream (a HAR can
  // be larger than a string may be, about 512 MB in V8, and must not cross IPC whole).
  ipcMain.handle(DESKTOP_CHANNELS.pickOpenPath, async (event, request: OpenFileRequest) => {
    if (!fromOurUi(event) || !mainWindow) return null;
    const result = await dialog.showOpenDialog(mainWindow, { title: request.title, filters: request.filters, properties: ['openFile'] });
    if (result.canceled || result.filePaths.length === 0) return null;
    return { path: result.filePaths[0]! };
  });
  ipcMain.handle(DESKTOP_CHANNELS.pickSavePath, async (event, request: SaveFileRequest) => {
    if (!fromOurUi(event) || !mainWindow) return null;
    const result = await dialog.showSaveDialog(mainWindow, { title: request.title, defaultPath: request.defaultName, filters: request.filters });
    if (result.canceled || !result.filePath) return null;
    return { path: result.filePath };
  });
}

function sendMenu(command: MenuCommand): void {
  mainWindow?.webContents.send(DESKTOP_CHANNELS.menu, command);
}

function buildMenu(): void {
  const template: MenuItemConstructorOptions[] = [
    ...(process.platform === 'darwin' ? [{ role: 'appMenu' as const }] : []),
    {
      label: 'File',
      submenu: [
        { label: 'New Session', accelerator: 'CmdOrCtrl+N', click: () => sendMenu('new-session') },
        { label: 'Open Session…', accelerator: 'CmdOrCtrl+O', click: () => sendMenu('open-session') },
        { label: 'Save Session…', accelerator: 'CmdOrCtrl+S', click: () => sendMenu('save-session') },
        { type: 'separator' },
        { label: 'Import HAR…', click: () => sendMenu('import-har') },
        { label: 'Export HAR…', accelerator: 'CmdOrCtrl+E', click: () => sendMenu('export-har') },
        { label: 'Open Capture (pcap, pcapng)…', click: () => sendMenu('open-capture') },
        { label: 'Export pcapng…', click: () => sendMenu('export-pcapng') },
        { type: 'separator' },
        { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    { label: 'View', submenu: [{ role: 'reload' }, { role: 'toggleDevTools' }, { type: 'separator' }, { role: 'resetZoom' }, { role: 'zoomIn' }, { role: 'zoomOut' }, { type: 'separator' }, { role: 'togglefullscreen' }] },
    { role: 'windowMenu' },
  ];
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}

function lockDown(): void {
  app.on('web-contents-created', (_event, contents) => {
    // No navigation away from the UI, no new windows; http(s) links open in the system browser.
    contents.on('will-navigate', (event, url) => {
      if (new URL(url).origin !== uiOrigin) event.preventDefault();
    });
    contents.setWindowOpenHandler(({ url }) => {
      if (/^https?:\/\//.test(url) && new URL(url).origin !== uiOrigin) void shell.openExternal(url);
      return { action: 'deny' };
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
  });
}

async function createWindow(): Promise<void> {
  const url = await startEngine();
  uiOrigin = new URL(url).origin;
  mainWindow = new BrowserWindow({
    width: 1400,
    height: 900,
    title: 'Framescope',
    webPreferences: {
      preload: join(here, 'preload.cjs'),
      contextIsolation: true,
      nodeIntegration: false,
      sandbox: true,
      webSecurity: true,
      spellcheck: false,
    },
  });
  mainWindow.on('closed', () => { mainWindow = null; });
  await mainWindow.loadURL(url);
}

app.enableSandbox();
lockDown();
app.whenReady().then(() => {
  registerIpc();
  buildMenu();
  return createWindow();
}).catch((error: unknown) => {
  dialog.showErrorBox('Framescope could not start', error instanceof Error ? error.message : String(error));
  app.exit(1);
});
app.on('window-all-closed', () => app.quit());
