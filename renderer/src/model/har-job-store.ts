// HAR export and import (and capture import, pcapng export) as engine jobs: the engine reads and writes in bounded memory and reports
// progress; this store shows one job at a time (for the progress bar and its Cancel button). In a browser
// tab the HAR travels over the control API connection in pieces (an export is read back into a Blob, an
// import is sent as text decoded from the file a slice at a time); in the desktop shell the engine reads or
// writes the path the native dialog gave.
import type { ControlClient } from '../api/control-client.js';
import type { ControlEvent, HarJobEvent, SessionInfo } from '../api/wire.js';
import { Observable } from './observable.js';

/** Bytes of a file sent per writeHarImport. */
const UPLOAD_PIECE = 1024 * 1024;

export interface HarJobProgress {
  kind: 'export' | 'import';
  /** What is happening, in words: "Exporting HAR", "Downloading HAR", "Uploading HAR", "Importing HAR". */
  label: string;
  done: number;
  total: number;
}

/** The job was cancelled (by the user or because the link went). */
export class HarJobCancelled extends Error {
  override name = 'HarJobCancelled';
}

export class HarJobStore extends Observable {
  /** The job under way, or null. */
  progress: HarJobProgress | null = null;
  private jobId: number | undefined;
  private cancelled = false;
  /** Final events by job id (they may come before the job's id is known here). */
  private readonly finished = new Map<number, HarJobEvent>();
  private readonly waiters = new Map<number, (event: HarJobEvent) => void>();

  constructor(private readonly client: ControlClient) {
    super();
    client.onEvents((events) => this.apply(events));
  }

  apply(events: readonly ControlEvent[]): void {
    for (const event of events) {
      if (event.kind !== 'har-job') continue;
      if (event.state === 'running') {
        if (event.jobId === this.jobId && this.progress) this.show({ ...this.progress, done: event.done, total: event.total });
        continue;
      }
      const waiter = this.waiters.get(event.jobId);
      if (waiter) {
        this.waiters.delete(event.jobId);
        waiter(event);
      } else {
        this.finished.set(event.jobId, event);
      }
    }
  }

  /** Exports into the engine's private file and reads it back; null when cancelled. */
  async exportToBlob(connectionIds?: number[]): Promise<{ blob: Blob; fileName: string } | null> {
    return this.run('export', 'Exporting HAR', async () => {
      const { jobId, fileName } = await this.client.request('startHarExport', connectionIds ? { connectionIds } : {});
      const done = await this.finish(jobId);
      try {
        const parts: Uint8Array<ArrayBuffer>[] = [];
        let offset = 0;
        this.show({ kind: 'export', label: 'Downloading HAR', done: 0, total: done.bytes ?? 0 });
        for (;;) {
          this.checkCancelled();
          const piece = await this.client.request('readHarExport', { jobId, offset });
          const bytes = Uint8Array.from(atob(piece.dataBase64), (c) => c.charCodeAt(0));
          parts.push(bytes);
          offset += bytes.length;
          this.show({ kind: 'export', label: 'Downloading HAR', done: offset, total: done.bytes ?? offset });
          if (piece.end) break;
        }
        return { blob: new Blob(parts, { type: 'application/json' }), fileName };
      } finally {
        void this.client.request('releaseHarExport', { jobId }).catch(() => {});
      }
    });
  }

  /** Has the engine write the HAR at path (the desktop shell's save dialog); null when cancelled. */
  async exportToPath(path: string, connectionIds?: number[]): Promise<{ bytes: number } | null> {
    return this.run('export', 'Exporting HAR', async () => {
      const { jobId } = await this.client.request('startHarExport', { ...(connectionIds ? { connectionIds } : {}), path });
      const done = await this.finish(jobId);
      return { bytes: done.bytes ?? 0 };
    });
  }

  /** Sends a file's text to the engine in pieces as a new session; null when cancelled. */
  async importFile(file: File, name: string): Promise<{ session: SessionInfo; problems: string[] } | null> {
    return this.run('import', 'Uploading HAR', async () => {
      const { jobId } = await this.client.request('startHarImport', { name });
      this.jobId = jobId;
      const decoder = new TextDecoder('utf-8');
      for (let at = 0; at < file.size; at += UPLOAD_PIECE) {
        this.checkCancelled(jobId);
        const bytes = await file.slice(at, at + UPLOAD_PIECE).arrayBuffer();
        // stream: true keeps a character split between two slices whole.
        await this.client.request('writeHarImport', { jobId, text: decoder.decode(bytes, { stream: true }) });
        this.show({ kind: 'import', label: 'Uploading HAR', done: Math.min(file.size, at + UPLOAD_PIECE), total: file.size });
      }
      await this.client.request('writeHarImport', { jobId, text: decoder.decode() });
      await this.client.request('finishHarImport', { jobId });
      const done = await this.finish(jobId);
      return { session: done.session!, problems: done.problems ?? [] };
    });
  }

  /** Has the engine read the HAR at path (the desktop shell's open dialog) as a new session; null when cancelled. */
  async importPath(path: string, name: string): Promise<{ session: SessionInfo; problems: string[] } | null> {
    return this.run('import', 'Importing HAR', async () => {
      const { jobId } = await this.client.request('startHarImport', { name, path });
      const done = await this.finish(jobId);
      return { session: done.session!, problems: done.problems ?? [] };
    });
  }

  /** Sends a capture file (pcap, pcapng) to the engine in pieces as a new session; null when cancelled. */
  async importCaptureFile(file: File, name: string): Promise<{ session: SessionInfo; problems: string[] } | null> {
    return this.run('import', 'Uploading capture', async () => {
      const { jobId } = await this.client.request('startCaptureImport', { name });
      this.jobId = jobId;
      for (let at = 0; at < file.size; at += UPLOAD_PIECE) {
        this.checkCancelled(jobId);
        const bytes = new Uint8Array(await file.slice(at, at + UPLOAD_PIECE).arrayBuffer());
        await this.client.request('writeCaptureImport', { jobId, dataBase64: base64Of(bytes) });
        this.show({ kind: 'import', label: 'Uploading capture', done: Math.min(file.size, at + UPLOAD_PIECE), total: file.size });
      }
      await this.client.request('finishHarImport', { jobId });
      const done = await this.finish(jobId);
      return { session: done.session!, problems: done.problems ?? [] };
    });
  }

  /** Has the engine read the capture at path (the desktop shell's open dialog) as a new session; null when cancelled. */
  async importCapturePath(path: string, name: string): Promise<{ session: SessionInfo; problems: string[] } | null> {
    return this.run('import', 'Importing capture', async () => {
      const { jobId } = await this.client.request('startCaptureImport', { name, path });
      const done = await this.finish(jobId);
      return { session: done.session!, problems: done.problems ?? [] };
    });
  }

  /** Exports the session as pcapng into the engine's private file and reads it back; null when cancelled. */
  async exportPcapngToBlob(legs: 'client' | 'both', connectionIds?: number[]): Promise<{ blob: Blob; fileName: string } | null> {
    return this.run('export', 'Exporting pcapng', async () => {
      const { jobId, fileName } = await this.client.request('startPcapngExport', { legs, ...(connectionIds ? { connectionIds } : {}) });
      const done = await this.finish(jobId);
      try {
        const parts: Uint8Array<ArrayBuffer>[] = [];
        for (let offset = 0; ;) {
          this.checkCancelled();
          const piece = await this.client.request('readHarExport', { jobId, offset });
          const bytes = Uint8Array.from(atob(piece.dataBase64), (c) => c.charCodeAt(0));
          parts.push(bytes);
          offset += bytes.length;
          this.show({ kind: 'export', label: 'Downloading pcapng', done: offset, total: done.bytes ?? offset });
          if (piece.end) break;
        }
        return { blob: new Blob(parts, { type: 'application/vnd.tcpdump.pcap' }), fileName };
      } finally {
        void this.client.request('releaseHarExport', { jobId }).catch(() => {});
      }
    });
  }

  /** Has the engine write the pcapng at path (the desktop shell's save dialog); null when cancelled. */
  async exportPcapngToPath(path: string, legs: 'client' | 'both', connectionIds?: number[]): Promise<{ bytes: number } | null> {
    return this.run('export', 'Exporting pcapng', async () => {
      const { jobId } = await this.client.request('startPcapngExport', { legs, path, ...(connectionIds ? { connectionIds } : {}) });
      const done = await this.finish(jobId);
      return { bytes: done.bytes ?? 0 };
    });
  }

  /** Cancels the job under way. */
  cancel(): void {
    this.cancelled = true;
    if (this.jobId !== undefined) void this.client.request('cancelHarJob', { jobId: this.jobId }).catch(() => {});
  }

  private async run<T>(kind: 'export' | 'import', label: string, work: () => Promise<T>): Promise<T | null> {
    if (this.progress) throw new Error('another HAR export or import is under way');
    this.cancelled = false;
    this.show({ kind, label, done: 0, total: 0 });
    try {
      return await work();
    } catch (error) {
      if (error instanceof HarJobCancelled) return null;
      throw error;
    } finally {
      this.jobId = undefined;
      this.show(null);
    }
  }

  /** Waits for the job's end; throws HarJobCancelled or the engine's message. */
  private async finish(jobId: number): Promise<HarJobEvent> {
    this.jobId = jobId;
    if (this.cancelled) this.cancel();
    const event = this.finished.get(jobId) ?? await new Promise<HarJobEvent>((resolve) => this.waiters.set(jobId, resolve));
    this.finished.delete(jobId);
    if (event.state === 'cancelled') throw new HarJobCancelled('cancelled');
    if (event.state === 'failed') throw new Error(event.message ?? 'the job failed');
    return event;
  }

  private checkCancelled(jobId?: number): void {
    if (!this.cancelled) return;
    if (jobId !== undefined) void this.client.request('cancelHarJob', { jobId }).catch(() => {});
    throw new HarJobCancelled('cancelled');
  }

  private show(progress: HarJobProgress | null): void {
    this.progress = progress;
    this.changed();
  }
}

/** Bytes as base64, a slice at a time (a whole MiB spread into one call's arguments would overflow the stack). */
function base64Of(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}
