// Where Framescope keeps what outlives a run: the CA, saved sessions and settings.
// FRAMESCOPE_HOME moves all of it (tests and portable installs use that); otherwise it follows
// each platform's convention for per-user application data.

import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';

/** The mode of every directory Framescope creates: the CA key and captured traffic are private. */
const PRIVATE_DIR_MODE = 0o700;

/** The directory Framescope keeps everything in. Computes the path only; nothing is created. */
export function framescopeHome(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  // Resolved so that the paths Framescope prints (such as the CA's, for NODE_EXTRA_CA_CERTS) work from anywhere.
  if (env.FRAMESCOPE_HOME) return resolve(env.FRAMESCOPE_HOME);
  const home = env.HOME || homedir();
  switch (platform) {
    case 'win32':
      return join(env.APPDATA || join(env.USERPROFILE || homedir(), 'AppData', 'Roaming'), 'Framescope');
    case 'darwin':
      return join(home, 'Library', 'Application Support', 'Framescope');
    default: {
      // The XDG Base Directory spec says a relative XDG_CONFIG_HOME is invalid and must be ignored.
      const xdg = env.XDG_CONFIG_HOME;
      return join(xdg && isAbsolute(xdg) ? xdg : join(home, '.config'), 'framescope');
    }
  }
}

/** The CA certificate and keys (created with mode 0700 if missing). */
export function caDir(env: NodeJS.ProcessEnv = process.env): string {
  return ensurePrivateDir(join(framescopeHome(env), 'ca'));
}

/** Saved capture sessions (created with mode 0700 if missing). */
export function sessionsDir(env: NodeJS.ProcessEnv = process.env): string {
  return ensurePrivateDir(join(framescopeHome(env), 'sessions'));
}

/** The settings file's path; its directory is created (mode 0700) if missing, the file is not. */
export function settingsFile(env: NodeJS.ProcessEnv = process.env): string {
  return join(ensurePrivateDir(framescopeHome(env)), 'settings.json');
}

/** The app's rules file (the Rules view edits it); its directory is created (mode 0700) if missing, the file is not. */
export function rulesFile(env: NodeJS.ProcessEnv = process.env): string {
  return join(ensurePrivateDir(framescopeHome(env)), 'rules.json');
}

/** Creates `dir` and any missing parents with mode 0700; leaves existing directories as they are. */
function ensurePrivateDir(dir: string): string {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  return dir;
}
