// The file system's errors in words: what happened to which file, and what to do about it.

/** An Error whose message says what went wrong with reading `file`, for a command that reads a HAR. */
export function readErrorInWords(error: unknown, file: string): Error {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return new Error(`${file} does not exist: check the path (a HAR file saved from Framescope, a browser or a proxy)`);
    case 'EISDIR':
      return new Error(`${file} is a directory, not a file: give the path of the .har file in it`);
    case 'EACCES':
    case 'EPERM':
      return new Error(`${file} cannot be read: permission denied (check the file's owner and mode)`);
    case 'ENOTDIR':
      return new Error(`${file} does not exist: a part of the path is a file, not a directory`);
    case 'ELOOP':
      return new Error(`${file} cannot be read: its symbolic links loop`);
    default:
      return error instanceof Error ? new Error(`${file} cannot be read: ${error.message}`) : new Error(`${file} cannot be read: ${String(error)}`);
  }
}

/** An Error whose message says why `file` could not be written. */
export function writeErrorInWords(error: unknown, file: string): Error {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return new Error(`${file} cannot be written: its directory does not exist`);
    case 'EISDIR':
      return new Error(`${file} is a directory: choose a file name`);
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return new Error(`${file} cannot be written: permission denied (choose another place)`);
    case 'ENOSPC':
      return new Error(`${file} cannot be written: the disk is full (free space or choose another disk)`);
    default:
      return error instanceof Error ? new Error(`${file} cannot be written: ${error.message}`) : new Error(`${file} cannot be written: ${String(error)}`);
  }
}
