// Saved sessions: one capture file per session in the sessions directory, named after the session,
// with a small sidecar of counts so listing does not have to scan every file.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { CaptureStore, type CaptureStoreOptions } from './capture-store.js';
import { indexSnapshotPath } from './index-snapshot.js';

export const CAPTURE_EXTENSION = '.fscap';
const SIDECAR_EXTENSION = '.meta.json';

export interface SessionListing {
  /** The session's name (its file name without the extension). */
  name: string;
  /** Connections recorded. */
  connections: number;
  /** Frames recorded. */
  frames: number;
  /** Bytes on disk. */
  size: number;
  /** Epoch ms of the last change. */
  modifiedAt: number;
}

interface Sidecar { size: number; connections: number; frames: number }

/** Session names are file names: letters, digits and a few separators, no paths. */
export function validSessionName(name: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9 ._-]{0,127}$/.test(name) && !name.endsWith('.') && !name.includes('..');
}

/** A name for a new session: its local date and time, e.g. 2026-11-21_09-30-05. */
export function sessionNameFor(date: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${p(date.getMonth() + 1)}-${p(date.getDate())}_${p(date.getHours())}-${p(date.getMinutes())}-${p(date.getSeconds())}`;
}

export class SessionCatalog {
  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  pathOf(name: string): string {
    if (!validSessionName(name)) throw new Error(`"${name}" is not a valid session name (letters, digits, space, dot, dash, underscore; up to 128)`);
    return join(this.dir, `${name}${CAPTURE_EXTENSION}`);
  }

  exists(name: string): boolean {
    return existsSync(this.pathOf(name));
  }

  /** A name that is free: the base itself, or base-2, base-3... */
  freeName(base: string): string {
    if (!this.exists(base)) return base;
    for (let i = 2; ; i++) if (!this.exists(`${base}-${i}`)) return `${base}-${i}`;
  }

  /** Creates a new, empty session and its store. */
  create(name: string, options?: CaptureStoreOptions): CaptureStore {
    const path = this.pathOf(name);
    if (existsSync(path)) throw new Error(`a session named "${name}" already exists`);
    return CaptureStore.create(path, options);
  }

  /** Opens a saved session (a torn tail from a crash is cut and reported in store.recovery). */
  async open(name: string, options?: CaptureStoreOptions): Promise<CaptureStore> {
    const path = this.pathOf(name);
    if (!existsSync(path)) throw new Error(`there is no session named "${name}"`);
    return CaptureStore.open(path, options);
  }

  /** Gives a session another name. The store may stay open while it happens (POSIX keeps the file). */
  rename(from: string, to: string): void {
    const source = this.pathOf(from);
    const target = this.pathOf(to);
    if (existsSync(target)) throw new Error(`a session named "${to}" already exists`);
    try {
      renameSync(source, target);
    } catch {
      // Where an open file cannot be renamed (Windows), keep a copy under the new name.
      copyFileSync(source, target);
    }
    const sidecar = this.sidecarPath(from);
    if (existsSync(sidecar)) renameSync(sidecar, this.sidecarPath(to));
    // The index snapshot follows its file (were it left behind, the next open would only find it stale and scan).
    const snapshot = indexSnapshotPath(source);
    if (existsSync(snapshot)) renameSync(snapshot, indexSnapshotPath(target));
  }

  delete(name: string): void {
    rmSync(this.pathOf(name), { force: true });
    rmSync(this.sidecarPath(name), { force: true });
    rmSync(indexSnapshotPath(this.pathOf(name)), { force: true });
  }

  /** Remembers a session's counts for listing. */
  remember(name: string, store: CaptureStore): void {
    store.flush();
    const summaries = store.connections();
    const sidecar: Sidecar = {
      // By name: a renamed session's store still carries the path it was opened with.
      size: statSync(this.pathOf(name)).size,
      connections: summaries.length,
      frames: summaries.reduce((sum, c) => sum + c.frameCount, 0),
    };
    writeFileSync(this.sidecarPath(name), JSON.stringify(sidecar), { mode: 0o600 });
  }

  /** Every saved session, newest first. Counts come from the sidecar, or a scan when it is stale. */
  async list(): Promise<SessionListing[]> {
    const names = readdirSync(this.dir).filter((f) => f.endsWith(CAPTURE_EXTENSION)).map((f) => f.slice(0, -CAPTURE_EXTENSION.length)).filter(validSessionName);
    const listings: SessionListing[] = [];
    for (const name of names) {
      const stat = statSync(this.pathOf(name));
      let sidecar = this.readSidecar(name);
      if (!sidecar || sidecar.size !== stat.size) {
        try {
          const store = await this.open(name);
          try {
            this.remember(name, store);
          } finally {
            store.close();
          }
          sidecar = this.readSidecar(name);
        } catch {
          sidecar = null;
        }
      }
      listings.push({ name, connections: sidecar?.connections ?? 0, frames: sidecar?.frames ?? 0, size: stat.size, modifiedAt: stat.mtimeMs });
    }
    return listings.sort((a, b) => b.modifiedAt - a.modifiedAt);
  }

  private sidecarPath(name: string): string {
    return join(this.dir, `${name}${SIDECAR_EXTENSION}`);
  }

  private readSidecar(name: string): Sidecar | null {
    try {
      return JSON.parse(readFileSync(this.sidecarPath(name), 'utf8')) as Sidecar;
    } catch {
      return null;
    }
  }
}
