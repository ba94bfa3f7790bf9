// A capture file whose directory (or the file itself) was removed while the session records: the
// open file descriptor still reads everything, so the file is written again at its path, from the
// old descriptor, and recording goes on in the new one.
import { closeSync, constants, fstatSync, mkdirSync, openSync, readSync, statSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

const COPY_CHUNK = 1024 * 1024;

/** True when the open file has no name left in any directory (it or its directory was removed). */
export function fileUnlinked(fd: number): boolean {
  return fstatSync(fd).nlink === 0;
}

/** Whether path still names the file open as fd (false once it was renamed or removed, or names another). */
export function pathNamesFile(path: string, fd: number): boolean {
  try {
    const named = statSync(path);
    const own = fstatSync(fd);
    return named.ino === own.ino && named.dev === own.dev;
  } catch {
    return false;
  }
}

/**
 * Creates path again (its directories 0700, the file 0600, never over another file) with the bytes
 * of the unlinked file open as oldFd, and returns the new file's descriptor (read and write).
 */
export function restoreCaptureFile(path: string, oldFd: number): number {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const fd = openSync(path, constants.O_RDWR | constants.O_CREAT | constants.O_EXCL, 0o600);
  try {
    const size = fstatSync(oldFd).size;
    const chunk = Buffer.allocUnsafe(Math.min(COPY_CHUNK, Math.max(1, size)));
    for (let at = 0; at < size;) {
      const n = readSync(oldFd, chunk, 0, Math.min(chunk.length, size - at), at);
      if (n === 0) break;
      for (let done = 0; done < n;) done += writeSync(fd, chunk, done, n - done, at + done);
      at += n;
    }
    return fd;
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}
