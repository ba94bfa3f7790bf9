// A browser run on a temporary profile directory that goes when the browser does: Chromium for
// `framescope browser` and the UI's Launch button, Firefox for `--firefox`.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { rmSync } from 'node:fs';
import { constants as osConstants } from 'node:os';

export interface ProfileProcess {
  child: ChildProcess;
  /** The exit code (128 + the signal's number when a signal ended it); rejects when it could not start. */
  exited: Promise<number>;
}

/** Starts executablePath with args; profileDir is removed when it exits, or at once when it cannot start. */
export function spawnOnProfile(executablePath: string, args: readonly string[], profileDir: string, options: SpawnOptions): ProfileProcess {
  const removeProfile = (): void => rmSync(profileDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  let child: ChildProcess;
  try {
    child = spawn(executablePath, args, options);
  } catch (error) {
    removeProfile();
    throw error;
  }
  const exited = new Promise<number>((resolve, reject) => {
    child.once('error', (error) => {
      removeProfile();
      reject(error);
    });
    // 'close' rather than 'exit': it comes after the child's output has been read to the end.
    child.once('close', (code, signal) => {
      removeProfile();
      resolve(code ?? 128 + (signal ? osConstants.signals[signal] : 0));
    });
  });
  return { child, exited };
}

/**
 * Stays until the browser is gone, so that its profile is always removed: SIGINT and SIGTERM are passed
 * on to it instead of ending this process. Resolves with its exit code, or 1 when it could not start.
 */
export async function untilBrowserExits(launched: ProfileProcess, executablePath: string, stderr: { write(text: string): unknown }): Promise<number> {
  const forward = (signal: NodeJS.Signals): void => { launched.child.kill(signal); };
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  try {
    return await launched.exited;
  } catch (error) {
    stderr.write(`framescope browser: could not start ${executablePath}: ${(error as Error).message}\n`);
    return 1;
  } finally {
    process.off('SIGINT', forward);
    process.off('SIGTERM', forward);
  }
}
