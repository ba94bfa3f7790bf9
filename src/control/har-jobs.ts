// HAR export and import as control API jobs (and capture import and pcapng export, the same way): each runs in bounded memory (har-file.ts, har-import/),
// reports progress to the client that started it (throttled har-job events), can be cancelled, and is
// cancelled when that client disconnects. An export without a path goes to a private file (0600 in a
// 0700 directory) that the client reads back in pieces over the control API connection; the UI server
// itself serves no data.
import { mkdtempSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatHarImportProblem, HarImportError, importHarFile } from '../capture/har-import.js';
import { HarTextImport } from '../capture/har-import/har-file-import.js';
import { writeHarFile } from '../capture/har-file.js';
import { connectionsOf } from '../capture/session-reader.js';
import type { Engine } from '../engine.js';
import { readErrorInWords, writeErrorInWords } from '../file-errors.js';
import type { HarJobEvent } from './api-types.js';
import { setTimeout as delay } from 'node:timers/promises';
import { CaptureImporter, CaptureImportError, formatCaptureProblem, importCaptureFile } from '../capture/pcap-import.js';
import { writePcapngFile, type PcapngLegs } from '../capture/pcapng-export.js';
import type { ControlClient } from './control-server.js';

/** Progress events at most this often per job. */
const PROGRESS_MS = 200;
/** Bytes per readHarExport piece. */
const PIECE = 1024 * 1024;

interface Job {
  id: number;
  kind: 'export' | 'import';
  client: ControlClient;
  controller: AbortController;
  /** An export without a path: its private directory and file, once written. */
  dir?: string;
  file?: string;
  /** It has ended (an export waiting to be read back). */
  finished?: boolean;
  /** An uploaded import: where its pieces go (HAR text, or capture bytes), and how to end it. */
  upload?: { write: (piece: string | Buffer) => void; finish: () => void; fail: (error: Error) => void; behind?: () => boolean };
}

export class HarJobs {
  private readonly jobs = new Map<number, Job>();
  private nextId = 1;

  constructor(private readonly engine: Engine) {}

  startExport(params: { connectionIds?: number[]; path?: string }, client: ControlClient): { jobId: number; fileName: string } {
    const job = this.add('export', client);
    const fileName = `${this.engine.sessionInfo().name}${params.connectionIds?.length === 1 ? `-connection-${params.connectionIds[0]}` : ''}.har`;
    if (!params.path) {
      job.dir = mkdtempSync(join(tmpdir(), 'framescope-export-'));
      job.file = join(job.dir, 'export.har');
    }
    const target = params.path ?? job.file!;
    const progress = this.reporter(job);
    const connections = connectionsOf(this.engine.store, params.connectionIds);
    writeHarFile(target, connections, { signal: job.controller.signal, onProgress: (p) => progress(p.done, p.total) }).catch((error: NodeJS.ErrnoException) => {
      throw error.code && params.path ? writeErrorInWords(error, params.path) : error;
    }).then(
      (written) => this.end(job, { state: 'done', done: 1, total: 1, bytes: written.bytes }, !params.path),
      (error: Error) => this.fail(job, error),
    );
    return { jobId: job.id, fileName };
  }

  async read(jobId: number, offset: number): Promise<{ dataBase64: string; end: boolean }> {
    const job = this.jobs.get(jobId);
    if (!job?.file) throw new Error(`no finished HAR export ${jobId}`);
    const handle = await open(job.file, 'r');
    try {
      const size = (await handle.stat()).size;
      const start = Math.max(0, Math.min(size, Math.floor(offset)));
      const piece = Buffer.alloc(Math.min(PIECE, size - start));
      const { bytesRead } = await handle.read(piece, 0, piece.length, start);
      return { dataBase64: piece.subarray(0, bytesRead).toString('base64'), end: start + bytesRead >= size };
    } finally {
      await handle.close();
    }
  }

  release(jobId: number): void {
    const job = this.jobs.get(jobId);
    if (job?.kind === 'export') this.forget(job);
  }

  startImport(params: { name?: string; path?: string }, client: ControlClient): { jobId: number } {
    const job = this.add('import', client);
    const progress = this.reporter(job);
    const name = params.name ?? 'imported';
    let problems: string[] = [];
    const imported = this.engine.importSessionWith(name, async (store) => {
      if (params.path) {
        const path = params.path;
        const result = await importHarFile(path, store, {
          signal: job.controller.signal,
          onProgress: (p) => progress(p.bytesRead, p.bytesTotal),
        }).catch((error: NodeJS.ErrnoException) => {
          throw error.code ? readErrorInWords(error, path) : error;
        });
        problems = result.problems.map(formatHarImportProblem);
        return;
      }
      const text = new HarTextImport(store);
      await new Promise<void>((resolve, reject) => {
        job.upload = { write: (piece) => text.write(piece as string), finish: resolve, fail: reject };
        job.controller.signal.addEventListener('abort', () => reject(new Error('the import was cancelled')), { once: true });
      }).finally(() => text.close());
      problems = text.end().problems.map(formatHarImportProblem);
    });
    imported.then(
      (session) => this.end(job, { state: 'done', done: 1, total: 1, session, problems }, false),
      (error: Error) => this.fail(job, error),
    );
    return { jobId: job.id };
  }

  write(jobId: number, text: string): void {
    const upload = this.upload(jobId);
    try {
      upload.write(text);
    } catch (error) {
      // The session's file failed (a full disk): the job fails with it.
      upload.fail(error as Error);
    }
  }

  finish(jobId: number): void {
    this.upload(jobId).finish();
  }

  /** Starts a capture (pcap, pcapng) import into a new session: from path, or from bytes sent with writeBytes. */
  startCaptureImport(params: { name?: string; path?: string }, client: ControlClient): { jobId: number } {
    const job = this.add('import', client);
    const progress = this.reporter(job);
    let problems: string[] = [];
    const imported = this.engine.importSessionWith(params.name ?? 'capture', async (store) => {
      if (params.path) {
        const path = params.path;
        const result = await importCaptureFile(path, store, { signal: job.controller.signal, onProgress: (p) => progress(p.bytesRead, p.bytesTotal) })
          .catch((error: NodeJS.ErrnoException) => {
            throw error.code && !(error instanceof CaptureImportError) ? readErrorInWords(error, path) : error;
          });
        problems = result.problems.map(formatCaptureProblem);
        return;
      }
      const importer = new CaptureImporter(store);
      await new Promise<void>((resolve, reject) => {
        job.upload = { write: (piece) => importer.push(piece as Buffer), finish: resolve, fail: reject, behind: () => store.backpressure };
        job.controller.signal.addEventListener('abort', () => reject(new Error('the import was cancelled')), { once: true });
      });
      problems = importer.end().problems.map(formatCaptureProblem);
      store.flush();
    });
    imported.then(
      (session) => this.end(job, { state: 'done', done: 1, total: 1, session, problems }, false),
      (error: Error) => this.fail(job, error),
    );
    return { jobId: job.id };
  }

  /** The next bytes of an uploaded capture; resolves once the session's file has caught up. */
  async writeBytes(jobId: number, bytes: Buffer): Promise<void> {
    const upload = this.upload(jobId);
    try {
      upload.write(bytes);
    } catch (error) {
      upload.fail(error as Error);
    }
    while (upload.behind?.() && this.jobs.has(jobId)) await delay(5);
  }

  /** Starts a pcapng export (progress in har-job events): to path, or to a private file read back with read(). */
  startPcapngExport(params: { connectionIds?: number[]; path?: string; legs?: PcapngLegs }, client: ControlClient): { jobId: number; fileName: string } {
    const job = this.add('export', client);
    const fileName = `${this.engine.sessionInfo().name}${params.connectionIds?.length === 1 ? `-connection-${params.connectionIds[0]}` : ''}.pcapng`;
    if (!params.path) {
      job.dir = mkdtempSync(join(tmpdir(), 'framescope-export-'));
      job.file = join(job.dir, 'export.pcapng');
    }
    const target = params.path ?? job.file!;
    const progress = this.reporter(job);
    writePcapngFile(target, this.engine.store, {
      legs: params.legs ?? 'client', ...(params.connectionIds ? { connectionIds: params.connectionIds } : {}),
      signal: job.controller.signal, onProgress: (p) => progress(p.done, p.total),
    }).catch((error: NodeJS.ErrnoException) => {
      throw error.code && params.path ? writeErrorInWords(error, params.path) : error;
    }).then(
      (written) => this.end(job, { state: 'done', done: 1, total: 1, bytes: written.bytes }, !params.path),
      (error: Error) => this.fail(job, error),
    );
    return { jobId: job.id, fileName };
  }

  cancel(jobId: number): void {
    const job = this.jobs.get(jobId);
    if (!job) return;
    // A running job ends with a 'cancelled' event; a finished export is forgotten at once.
    if (job.finished) this.forget(job);
    else job.controller.abort();
  }

  private upload(jobId: number): NonNullable<Job['upload']> {
    const upload = this.jobs.get(jobId)?.upload;
    if (!upload) throw new Error(`no HAR import ${jobId} waiting for text`);
    return upload;
  }

  private add(kind: Job['kind'], client: ControlClient): Job {
    const job: Job = { id: this.nextId++, kind, client, controller: new AbortController() };
    this.jobs.set(job.id, job);
    client.onClose(() => {
      job.controller.abort();
      this.forget(job);
    });
    return job;
  }

  private reporter(job: Job): (done: number, total: number) => void {
    let last = 0;
    return (done, total) => {
      const now = Date.now();
      if (now - last < PROGRESS_MS) return;
      last = now;
      job.client.send({ kind: 'har-job', jobId: job.id, job: job.kind, state: 'running', done, total });
    };
  }

  private end(job: Job, event: Omit<HarJobEvent, 'kind' | 'jobId' | 'job'>, keep: boolean): void {
    job.finished = true;
    job.client.send({ kind: 'har-job', jobId: job.id, job: job.kind, ...event });
    // An export to a private file stays until it is read and released (or its client goes).
    if (!keep) this.forget(job);
  }

  private fail(job: Job, error: Error): void {
    const cancelled = job.controller.signal.aborted;
    const message = error instanceof HarImportError ? `not imported: ${error.message}`
      : error instanceof CaptureImportError ? `not imported: ${error.code}: ${error.message}` : error.message;
    this.end(job, { state: cancelled ? 'cancelled' : 'failed', done: 0, total: 0, ...(cancelled ? {} : { message }) }, false);
  }

  private forget(job: Job): void {
    this.jobs.delete(job.id);
    if (job.dir) rmSync(job.dir, { recursive: true, force: true });
  }
}
