// The session menu's actions, shared by the toolbar menu and the desktop shell's native menu.
import type { AppModel } from '../model/app-model.js';
import { downloadBlob, pickFile, pickSavePath } from './file-actions.js';

export async function importHarFile(app: AppModel): Promise<void> {
  const picked = await pickFile('Import HAR');
  if (!picked) return;
  const name = picked.name.replace(/\.(har|json)$/i, '').replace(/[^A-Za-z0-9 ._-]/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 100) || 'imported';
  try {
    const result = 'path' in picked ? await app.harJobs.importPath(picked.path, name) : await app.harJobs.importFile(picked.file, name);
    if (!result) {
      app.view.notify(`Import of ${picked.name} cancelled`);
      return;
    }
    const { problems } = result;
    app.view.notify(problems.length === 0 ? `Imported ${picked.name}` : `Imported ${picked.name} with ${problems.length} problem(s): ${problems.slice(0, 3).join('; ')}`);
  } catch (error) {
    app.view.notify(`Could not import ${picked.name}: ${(error as Error).message}`, 'error');
  }
}

export async function exportHarFile(app: AppModel, connectionIds?: number[]): Promise<void> {
  try {
    const session = app.session.session?.name ?? 'session';
    const suggested = `${session}${connectionIds?.length === 1 ? `-connection-${connectionIds[0]}` : ''}.har`;
    const path = await pickSavePath('Export HAR', suggested);
    if (path === null) return;
    if (path !== undefined) {
      const written = await app.harJobs.exportToPath(path, connectionIds);
      app.view.notify(written ? `Exported ${path}` : 'Export cancelled');
      return;
    }
    const result = await app.harJobs.exportToBlob(connectionIds);
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

export async function importCaptureFile(app: AppModel): Promise<void> {
  const picked = await pickFile('Open capture', 'capture');
  if (!picked) return;
  const name = picked.name.replace(/\.(pcapng|pcap|cap)$/i, '').replace(/[^A-Za-z0-9 ._-]/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 100) || 'capture';
  try {
    const result = 'path' in picked ? await app.harJobs.importCapturePath(picked.path, name) : await app.harJobs.importCaptureFile(picked.file, name);
    if (!result) {
      app.view.notify(`Import of ${picked.name} cancelled`);
      return;
    }
    const { problems } = result;
    app.view.notify(problems.length === 0 ? `Opened ${picked.name}` : `Opened ${picked.name} with ${problems.length} problem(s): ${problems.slice(0, 3).join('; ')}`);
  } catch (error) {
    app.view.notify(`Could not open ${picked.name}: ${(error as Error).message}`, 'error');
  }
}

export async function exportPcapngFile(app: AppModel, legs: 'client' | 'both' = 'client', connectionIds?: number[]): Promise<void> {
  try {
    const session = app.session.session?.name ?? 'session';
    const suggested = `${session}${connectionIds?.length === 1 ? `-connection-${connectionIds[0]}` : ''}.pcapng`;
    const path = await pickSavePath('Export pcapng', suggested, 'pcapng');
    if (path === null) return;
    if (path !== undefined) {
      const written = await app.harJobs.exportPcapngToPath(path, legs, connectionIds);
      app.view.notify(written ? `Exported ${path}` : 'Export cancelled');
      return;
    }
    const result = await app.harJobs.exportPcapngToBlob(legs, connectionIds);
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
