// Choosing files: the desktop shell's native dialogs when present (the engine then reads or writes the
// path itself), otherwise a file input and a Blob download, so the same actions work in the Electron
// window and in a browser tab. Contents never pass through here whole as a string.

const HAR_FILTERS = [{ name: 'HAR', extensions: ['har', 'json'] }];
const CAPTURE_FILTERS = [{ name: 'Packet capture', extensions: ['pcap', 'pcapng', 'cap'] }];
const PCAPNG_FILTERS = [{ name: 'pcapng', extensions: ['pcapng'] }];

/** What kind of file is picked: it decides the dialog's filters and the input's accept list. */
export type FileKind = 'har' | 'capture' | 'pcapng';

/** What the user picked to open: a path (desktop shell) or a File (browser). */
export type PickedFile = { name: string; path: string } | { name: string; file: File };

/** Lets the user pick a file; null when cancelled. */
export async function pickFile(title: string, kind: FileKind = 'har'): Promise<PickedFile | null> {
  const desktop = window.framescopeDesktop;
  if (desktop) {
    const picked = await desktop.pickOpenPath({ title, filters: kind === 'har' ? HAR_FILTERS : CAPTURE_FILTERS });
    return picked && { name: picked.path.replace(/^.*[\\/]/, ''), path: picked.path };
  }
  return new Promise((resolve) => {
    const input = document.createElement('input');
    input.type = 'file';
    input.accept = kind === 'har' ? '.har,.json,application/json' : '.pcap,.pcapng,.cap';
    input.style.display = 'none';
    input.dataset.purpose = kind === 'har' ? 'import-har' : 'import-capture';
    input.onchange = () => {
      const file = input.files?.[0];
      input.remove();
      resolve(file ? { name: file.name, file } : null);
    };
    input.oncancel = () => {
      input.remove();
      resolve(null);
    };
    document.body.append(input);
    input.click();
  });
}

/** In the desktop shell: where to save (null when cancelled). Undefined in a browser (download instead). */
export async function pickSavePath(title: string, fileName: string, kind: FileKind = 'har'): Promise<string | null | undefined> {
  const desktop = window.framescopeDesktop;
  if (!desktop) return undefined;
  const picked = await desktop.pickSavePath({ title, defaultName: fileName, filters: kind === 'pcapng' ? PCAPNG_FILTERS : HAR_FILTERS });
  return picked?.path ?? null;
}

/** Offers a Blob as a download under a suggested name. */
export function downloadBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
