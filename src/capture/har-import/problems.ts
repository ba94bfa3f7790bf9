// What a HAR import returns and how it names what it skipped or repaired.
import type { ConnectionRecord } from '../capture-model.js';

/** The tool that wrote a HAR file. */
export type HarFormat = 'framescope' | 'chrome' | 'httptoolkit' | 'mitmproxy' | 'playwright' | 'unknown';

export interface HarImportResult {
  /** One record per WebSocket entry, ids from 1 in entry order. */
  connections: ConnectionRecord[];
  /** Everything skipped or repaired, each naming the entry and the field. */
  problems: HarImportProblem[];
  /** Which tool wrote the file: from log.creator, else 'framescope' when our fields are there. */
  format: HarFormat;
}

export interface HarImportProblem {
  /** Index of the entry in log.entries; -1 for the file as a whole. */
  entry: number;
  /** The field in the entry (in the file for entry -1), e.g. "_webSocketMessages[3].time"; '' for the whole entry. */
  field: string;
  /** What is wrong and what import did about it. */
  message: string;
}

/** Nothing at all could be read: not JSON, or no log.entries. */
export class HarImportError extends Error {
  override name = 'HarImportError';
}

/** One line for a problem: `entry 3, field "_webSocketMessages[7].data": not a string; message skipped`. */
export function formatHarImportProblem(problem: HarImportProblem): string {
  const where = problem.entry >= 0 ? `entry ${problem.entry}` : 'file';
  return problem.field ? `${where}, field "${problem.field}": ${problem.message}` : `${where}: ${problem.message}`;
}
