import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { caDir, framescopeHome, sessionsDir, settingsFile } from '../src/home.js';

describe('framescopeHome', () => {
  it('uses FRAMESCOPE_HOME when it is set, on every platform', () => {
    const env = { FRAMESCOPE_HOME: '/srv/fs', HOME: '/home/ada', XDG_CONFIG_HOME: '/xdg', APPDATA: 'C:\\AppData' };
    expect(framescopeHome(env, 'linux')).toBe('/srv/fs');
    expect(framescopeHome(env, 'darwin')).toBe('/srv/fs');
    expect(framescopeHome(env, 'win32')).toBe('/srv/fs');
  });

  it('makes a relative FRAMESCOPE_HOME absolute', () => {
    expect(framescopeHome({ FRAMESCOPE_HOME: 'rel/home' }, 'linux')).toBe(join(process.cwd(), 'rel', 'home'));
  });

  it('uses $XDG_CONFIG_HOME/framescope on Linux', () => {
    expect(framescopeHome({ HOME: '/home/ada', XDG_CONFIG_HOME: '/home/ada/.cfg' }, 'linux')).toBe('/home/ada/.cfg/framescope');
  });

  it('falls back to ~/.config/framescope on Linux without XDG_CONFIG_HOME', () => {
    expect(framescopeHome({ HOME: '/home/ada' }, 'linux')).toBe('/home/ada/.config/framescope');
  });

  it('ignores a relative XDG_CONFIG_HOME, as the XDG spec requires', () => {
    expect(framescopeHome({ HOME: '/home/ada', XDG_CONFIG_HOME: 'cfg' }, 'linux')).toBe('/home/ada/.config/framescope');
  });

  it('uses ~/Library/Application Support/Framescope on macOS', () => {
    expect(framescopeHome({ HOME: '/Users/ada', XDG_CONFIG_HOME: '/xdg' }, 'darwin')).toBe('/Users/ada/Library/Application Support/Framescope');
  });

  it('uses %APPDATA%\\Framescope on Windows', () => {
    // path.join uses the host's separator; on Windows it gives C:\Users\ada\AppData\Roaming\Framescope.
    expect(framescopeHome({ APPDATA: 'C:\\Users\\ada\\AppData\\Roaming' }, 'win32')).toBe(join('C:\\Users\\ada\\AppData\\Roaming', 'Framescope'));
  });
});

describe('directories under the home', () => {
  let root: string;
  let env: NodeJS.ProcessEnv;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'framescope-home-test-'));
    env = { FRAMESCOPE_HOME: join(root, 'home') };
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('computes the home without creating it', () => {
    expect(framescopeHome(env)).toBe(join(root, 'home'));
    expect(existsSync(join(root, 'home'))).toBe(false);
  });

  it('creates the CA directory and the home with mode 0700 on demand', () => {
    expect(caDir(env)).toBe(join(root, 'home', 'ca'));
    expect(statSync(join(root, 'home')).mode & 0o777).toBe(0o700);
    expect(statSync(join(root, 'home', 'ca')).mode & 0o777).toBe(0o700);
  });

  it('creates the sessions directory with mode 0700 on demand', () => {
    expect(sessionsDir(env)).toBe(join(root, 'home', 'sessions'));
    expect(statSync(join(root, 'home', 'sessions')).mode & 0o777).toBe(0o700);
  });

  it('gives settings.json in the home, creating the home but not the file', () => {
    expect(settingsFile(env)).toBe(join(root, 'home', 'settings.json'));
    expect(statSync(join(root, 'home')).mode & 0o777).toBe(0o700);
    expect(existsSync(join(root, 'home', 'settings.json'))).toBe(false);
  });
});
