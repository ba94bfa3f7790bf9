// The session menu's actions, shared by the toolbar menu and the desktop shell's native menu.
import type { AppModel } from '../model/app-model.js';
import { downloadBlob, pickFile, pickSavePath, type FileKind, type PickedFile } from './file-actions.js';

/** A session name from a file's name: its extension off, and only what a session name may hold. */
function sessionNameOf(fileName: string, extension: RegExp, fallback: string): string {
  return fileName.replace(extension, '').replace(/[^A-Za-z0-9 ._-]/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 100) || fallback;
}

/** Picks a file and reads it into a new session as a job (its progress bar has Cancel), saying how it went. */
async function importAsSession(
  app: AppModel,
  what: { title: string; kind: FileKind; extension: RegExp; fallback: string; done: string; verb: string },
  start: (picked: PickedFile, name: string) => Promise<{ problems: string[] } | null>,
): Promise<void> {
  const picked = await pickFile(what.title, what.kind);
  if (!picked) return;
  try {
    const result = await start(picked, sessionNameOf(picked.name, what.extension, what.fallback));
    if (!result) {
      app.view.notify(`Import of ${picked.name} cancelled`);
      return;
    }
    const { problems } = result;
    app.view.notify(problems.length === 0 ? `${what.done} ${picked.name}` : `${what.done} ${picked.name} with ${problems.length} problem(s): ${problems.slice(0, 3).join('; ')}`);
  } catch (error) {
    app.view.notify(`Could not ${what.verb} ${picked.name}: ${(error as Error).message}`, 'error');
  }
}

export async function importHarFile(app: AppModel): Promise<void> {
  await importAsSession(app, { title: 'Import HAR', kind: 'har', extension: /\.(har|json)$/i, fallback: 'imported', done: 'Imported', verb: 'import' },
    (picked, name) => ('path' in picked ? app.harJobs.importPath(picked.path, name) : app.harJobs.importFile(picked.file, name)));
}

export async function importCaptureFile(app: AppModel): Promise<void> {
  await importAsSession(app, { title: 'Open capture', kind: 'capture', extension: /\.(pcapng|pcap|cap)$/i, fallback: 'capture', done: 'Opened', verb: 'open' },
    (picked, name) => ('path' in picked ? app.harJobs.importCapturePath(picked.path, name) : app.harJobs.importCaptureFile(picked.file, name)));
}

/**
 * Exports the session (or some of its connections) as a job: to the path the desktop shell's dialog
 * gives, else downloaded in the browser tab.
 */
async function exportSession(
  app: AppModel,
  what: { title: string; kind: FileKind; extension: string; connectionIds: number[] | undefined },
  toPath: (path: string) => Promise<unknown>,
  toBlob: () => Promise<{ blob: Blob; fileName: string } | null>,
): Promise<void> {
  try {
    const session = app.session.session?.name ?? 'session';
    const suggested = `${session}${what.connectionIds?.length === 1 ? `-connection-${what.connectionIds[0]}` : ''}.${what.extension}`;
    const path = await pickSavePath(what.title, suggested, what.kind);
    if (path === null) return;
    if (path !== undefined) {
      const written = await toPath(path);
      app.view.notify(written ? `Exported ${path}` : 'Export cancelled');
      return;
    }
    const result = await toBlob();
    if (!result) {
      app.view.notify('Export cancelled');
      return;
    }
    downloadBlob(result.blob, result.fileName);
    app.view.notify(`Exported ${result.fileName}`);
  } catch (error) {
    app.view.notify(`Could not export: ${(error as Error).message}`, 'error');
  }
}

export async function exportHarFile(app: AppModel, connectionIds?: number[]): Promise<void> {
  await exportSession(app, { title: 'Export HAR', kind: 'har', extension: 'har', connectionIds },
    (path) => app.harJobs.exportToPath(path, connectionIds), () => app.harJobs.exportToBlob(connectionIds));
}

export async function exportPcapngFile(app: AppModel, legs: 'client' | 'both' = 'client', connectionIds?: number[]): Promise<void> {
  await exportSession(app, { title: 'Export pcapng', kind: 'pcapng', extension: 'pcapng', connectionIds },
    (path) => app.harJobs.exportPcapngToPath(path, legs, connectionIds), () => app.harJobs.exportPcapngToBlob(legs, connectionIds));
}

export async function newSession(app: AppModel, name?: string): Promise<void> {
  try {
    await app.session.newSession(name);
    app.view.notify(`Recording into a new session: ${app.session.session?.name ?? ''}`);
  } catch (error) {
    app.view.notify(`Could not start a new session: ${(error as Error).message}`, 'error');
  }
}

/** Runs a command from the desktop shell's menu. */
export function runMenuCommand(app: AppModel, command: string): void {
  switch (command) {
    case 'new-session': app.view.open('new-session'); break;
    case 'open-session': app.view.open('open-session'); break;
    case 'save-session': app.view.open('save-session'); break;
    case 'import-har': void importHarFile(app); break;
    case 'export-har': void exportHarFile(app); break;
    case 'open-capture': void importCaptureFile(app); break;
    case 'export-pcapng': void exportPcapngFile(app); break;
  }
}
