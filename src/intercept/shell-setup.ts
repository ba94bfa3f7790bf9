// The user's own shell, started with the interception environment and a prompt that says so.
//
// A prompt set in the environment does not survive the user's rc files, so each known shell is
// started with a small init file of ours that runs theirs first, then marks the prompt:
//   bash  --rcfile FRAMESCOPE_HOME/intercept/shell/bashrc
//   zsh   ZDOTDIR=FRAMESCOPE_HOME/intercept/shell/zsh (its .zshrc reads the user's, from their ZDOTDIR or HOME)
//   fish  --init-command that wraps fish_prompt
// Any other shell gets PS1 in the environment, which it may or may not keep.

import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';

/** What the prompt starts with inside a Framescope shell. */
export const PROMPT_MARKER = '(framescope) ';

export interface ShellLaunch {
  command: string;
  args: string[];
  /** Variables to add to the interception environment. */
  env: Record<string, string>;
}

/** The user's shell: SHELL, else /bin/sh (COMSPEC on Windows). */
export function userShell(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): string {
  if (platform === 'win32') return env.COMSPEC || 'cmd.exe';
  return env.SHELL || '/bin/sh';
}

/** How to start `shell`: interactive with the marker, or running `command` (`shell -c command`, no marker). */
export function shellLaunch(shell: string, dir: string, env: NodeJS.ProcessEnv, command?: string): ShellLaunch {
  const name = basename(shell).replace(/\.exe$/i, '').toLowerCase();
  const marker = { FRAMESCOPE_SHELL: '1' };
  if (command !== undefined) {
    if (name === 'cmd') return { command: shell, args: ['/d', '/s', '/c', command], env: marker };
    if (name === 'powershell' || name === 'pwsh') return { command: shell, args: ['-NoLogo', '-Command', command], env: marker };
    return { command: shell, args: ['-c', command], env: marker };
  }
  const shellDir = join(dir, 'shell');
  if (name === 'bash') {
    const rc = privateFile(shellDir, 'bashrc', `# Written by framescope shell: the user's bashrc, then the prompt marker.
[ -f "$HOME/.bashrc" ] && . "$HOME/.bashrc"
PS1="${PROMPT_MARKER}\${PS1-\\$ }"
`);
    return { command: shell, args: ['--rcfile', rc, '-i'], env: marker };
  }
  if (name === 'zsh') {
    const zdot = join(shellDir, 'zsh');
    privateFile(zdot, '.zshrc', `# Written by framescope shell: the user's .zshrc, then the prompt marker.
ZDOTDIR="\${FRAMESCOPE_USER_ZDOTDIR:-$HOME}"
[ -f "$ZDOTDIR/.zshrc" ] && . "$ZDOTDIR/.zshrc"
PROMPT="${PROMPT_MARKER}\${PROMPT}"
`);
    return { command: shell, args: ['-i'], env: { ...marker, ZDOTDIR: zdot, FRAMESCOPE_USER_ZDOTDIR: env.ZDOTDIR || env.HOME || '' } };
  }
  if (name === 'fish') {
    return {
      command: shell,
      args: ['--interactive', '--init-command', `functions -c fish_prompt __framescope_user_prompt; function fish_prompt; echo -n '${PROMPT_MARKER}'; __framescope_user_prompt; end`],
      env: marker,
    };
  }
  if (name === 'powershell' || name === 'pwsh') {
    return { command: shell, args: ['-NoLogo', '-NoExit', '-Command', `$__fsPrompt = $function:prompt; function global:prompt { '${PROMPT_MARKER}' + (& $__fsPrompt) }`], env: marker };
  }
  return { command: shell, args: [], env: { ...marker, PS1: `${PROMPT_MARKER}${env.PS1 ?? '$ '}` } };
}

function privateFile(dir: string, name: string, content: string): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, name);
  writeFileSync(path, content, { mode: 0o600 });
  return path;
}
