// Runs a launched client to its end as if the user had run it: same terminal, signals passed on, and
// its exit status handed back (a signal death is re-raised on this process by the caller).

import { spawn, type ChildProcess } from 'node:child_process';
import { constants as osConstants } from 'node:os';

/** How a child ended. */
export interface ChildEnd {
  /** Its exit code, or 128 + the signal's number when a signal ended it (the shell's convention). */
  code: number;
  /** The signal that ended it, if one did. */
  signal?: NodeJS.Signals;
}

/**
 * Signals passed on to the child. SIGINT is passed on only when stdin is not a terminal: a Ctrl-C at a
 * terminal already reaches the child (it is in the same foreground process group), and a second one
 * would interrupt its clean-up.
 */
function forwardedSignals(): NodeJS.Signals[] {
  return process.stdin.isTTY ? ['SIGTERM', 'SIGHUP', 'SIGQUIT'] : ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'];
}

/** Starts `command` with inherited stdio; rejects with ENOENT/EACCES-style errors when it cannot start. */
export function runChild(command: string, args: readonly string[], env: NodeJS.ProcessEnv): { child: ChildProcess; ended: Promise<ChildEnd> } {
  const child = spawn(command, args, { stdio: 'inherit', env });
  const signals = forwardedSignals();
  const forward = (signal: NodeJS.Signals): void => { child.kill(signal); };
  // A Ctrl-C at a terminal must not end this process before the child: it is the child's to handle.
  const ignore = (): void => {};
  for (const signal of signals) process.on(signal, forward);
  if (!signals.includes('SIGINT')) process.on('SIGINT', ignore);
  const stop = (): void => {
    for (const signal of signals) process.off(signal, forward);
    process.off('SIGINT', ignore);
  };
  const ended = new Promise<ChildEnd>((resolve, reject) => {
    child.once('error', (error) => {
      stop();
      reject(error);
    });
    child.once('exit', (code, signal) => {
      stop();
      resolve(signal ? { code: 128 + (osConstants.signals[signal] ?? 0), signal } : { code: code ?? 0 });
    });
  });
  return { child, ended };
}

/** Ends this process the way the child ended: by the same signal, or with its code. */
export function endLikeChild(end: ChildEnd): number {
  if (end.signal && end.signal !== 'SIGKILL' && end.signal !== 'SIGSTOP') {
    // With no handler left, the default action applies: this process dies of the same signal.
    process.kill(process.pid, end.signal);
  }
  return end.code;
}
