// HAR export and import through the control API's jobs, as the UI in a browser tab runs them.
import type { ControlClient } from './engine.js';
import type { HarJobEvent } from '../../src/control/api-types.js';

/** The job's final event (done, failed or cancelled). */
export function jobEnd(api: ControlClient, jobId: number): Promise<HarJobEvent> {
  return api.waitForEvent((e): e is HarJobEvent => e.kind === 'har-job' && e.jobId === jobId && e.state !== 'running');
}

/** Exports and reads the HAR back in pieces; resolves with its text and the suggested file name. */
export async function exportOverApi(api: ControlClient, connectionIds?: number[]): Promise<{ har: string; fileName: string }> {
  const { jobId, fileName } = await api.call('startHarExport', connectionIds ? { connectionIds } : {});
  const end = await jobEnd(api, jobId);
  if (end.state !== 'done') throw new Error(`export ${end.state}: ${end.message ?? ''}`);
  const pieces: Buffer[] = [];
  for (let offset = 0; ;) {
    const piece = await api.call('readHarExport', { jobId, offset });
    const bytes = Buffer.from(piece.dataBase64, 'base64');
    pieces.push(bytes);
    offset += bytes.length;
    if (piece.end) break;
  }
  await api.call('releaseHarExport', { jobId });
  return { har: Buffer.concat(pieces).toString('utf8'), fileName };
}

/** Uploads a HAR's text in pieces of `piece` characters as a new session; resolves with the final event. */
export async function importOverApi(api: ControlClient, text: string, name: string, piece = 64 * 1024): Promise<HarJobEvent> {
  const { jobId } = await api.call('startHarImport', { name });
  for (let at = 0; at < text.length; at += piece) await api.call('writeHarImport', { jobId, text: text.slice(at, at + piece) });
  await api.call('finishHarImport', { jobId });
  return jobEnd(api, jobId);
}
