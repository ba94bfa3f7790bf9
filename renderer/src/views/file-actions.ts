// Opening and saving files: the desktop shell's native dialogs when present, otherwise a file input
// and a Blob download, so the same actions work in the Electron window and in a browser tab.

const HAR_FILTERS = [{ name: 'HAR', extensions: ['har', 'json'] }];

/** Lets the user pick a file; resolves with its name and text, or null when cancelled. */
export async function pickTextFile(title: string): Promise<{ name: string; text: string } | null> {
  const desktop = window.framescopeDesktop;
  if (desktop) {
    const file = await desktop.openFile({ title, filters: HAR_FILTERS });
    return file && { name: file.path.replace(/^.*[\\/]/, ''), text: file.text };
  }
  return new Promise((resolve) => {
    const input = document.createElement('input');
    input.type = 'file';
    input.accept = '.har,.json,application/json';
    input.style.display = 'none';
    input.dataset.purpose = 'import-har';
    input.onchange = async () => {
      const file = input.files?.[0];
      input.remove();
      resolve(file ? { name: file.name, text: await file.text() } : null);
    };
    input.oncancel = () => {
      input.remove();
      resolve(null);
    };
    document.body.append(input);
    input.click();
  });
}

/** Saves text under a suggested name; resolves with where it went (the name, for a download), or null when cancelled. */
export async function saveTextFile(title: string, fileName: string, text: string): Promise<string | null> {
  const desktop = window.framescopeDesktop;
  if (desktop) {
    const saved = await desktop.saveFile({ title, defaultName: fileName, filters: HAR_FILTERS, text });
    return saved?.path ?? null;
  }
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return fileName;
}
