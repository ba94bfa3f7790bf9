// The session menu's actions, shared by the toolbar menu and the desktop shell's native menu.
import type { AppModel } from '../model/app-model.js';
import { pickTextFile, saveTextFile } from './file-actions.js';

export async function importHarFile(app: AppModel): Promise<void> {
  const file = await pickTextFile('Import HAR');
  if (!file) return;
  const name = file.name.replace(/\.(har|json)$/i, '').replace(/[^A-Za-z0-9 ._-]/g, '-').replace(/^[^A-Za-z0-9]+/, '') || 'imported';
  try {
    const problems = await app.session.importHar(file.text, name.slice(0, 100));
    app.view.notify(problems.length === 0 ? `Imported ${file.name}` : `Imported ${file.name} with ${problems.length} problem(s): ${problems.slice(0, 3).join('; ')}`);
  } catch (error) {
    app.view.notify(`Could not import ${file.name}: ${(error as Error).message}`, 'error');
  }
}

export async function exportHarFile(app: AppModel, connectionIds?: number[]): Promise<void> {
  try {
    const { fileName, har } = await app.session.exportHar(connectionIds);
    const name = connectionIds?.length === 1 ? fileName.replace(/\.har$/, `-connection-${connectionIds[0]}.har`) : fileName;
    const where = await saveTextFile('Export HAR', name, har);
    if (where) app.view.notify(`Exported ${where}`);
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
  }
}
