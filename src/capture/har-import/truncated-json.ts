// JSON.parse, and for a HAR that is cut short the longest readable prefix.
import { HarImportError } from './problems.js';
import type { HarImportProblem } from './problems.js';

/** The end of the last complete JSON value before a break, and what closes the containers still open there. */
interface CutPoint {
  /** Offset just past the value. */
  end: number;
  /** The closing brackets of the open containers, innermost first. */
  closers: string;
  /** The keys (and array indexes) of the open containers below the root, outermost first. */
  path: (string | number)[];
}

/** A container open at the scan position. */
interface OpenContainer {
  /** Its closing bracket. */
  closer: '}' | ']';
  /** Its key (or index) in the container around it. */
  key: string | number;
  /** Values completed in it so far (an array's next index). */
  count: number;
  /** In an object, the next string is a key. */
  expectKey: boolean;
  /** In an object, the key of the value being read. */
  pendingKey: string;
}

/**
 * JSON.parse, and for a file that breaks off (a capture killed while writing, a partial download) the
 * longest readable prefix: everything up to the last complete value, with the open containers closed.
 */
export function parseHarJson(text: string, problems: HarImportProblem[]): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const reason = (error as Error).message;
    const position = /position (\d+)/.exec(reason);
    const cut = lastCompleteValue(text, position ? Number(position[1]) : text.length);
    if (cut) {
      try {
        const value: unknown = JSON.parse(text.slice(0, cut.end) + cut.closers);
        problems.push(cutProblem(cut, reason));
        return value;
      } catch {
        // Broken somewhere the scan did not see: nothing can be trusted.
      }
    }
    throw new HarImportError(`not JSON: ${reason}`);
  }
}

function cutProblem(cut: CutPoint, reason: string): HarImportProblem {
  const [log, entries, entry, ...rest] = cut.path;
  if (log === 'log' && entries === 'entries' && typeof entry === 'number') {
    return { entry, field: formatPath(rest), message: `the file breaks off here (${reason}); this entry is imported as far as it goes` };
  }
  return { entry: -1, field: formatPath(cut.path), message: `the file breaks off after character ${cut.end} (${reason}); what came before is imported` };
}

function formatPath(path: (string | number)[]): string {
  return path.map((key, i) => (typeof key === 'number' ? `[${key}]` : i === 0 ? key : `.${key}`)).join('');
}

/** Scans text[0, limit) for the last complete value (RFC 8259 syntax, not validated: JSON.parse does that). */
function lastCompleteValue(text: string, limit: number): CutPoint | undefined {
  const stack: OpenContainer[] = [];
  let cut: CutPoint | undefined;
  const completed = (end: number) => {
    const top = stack.at(-1);
    if (top) top.count += 1;
    cut = { end, closers: stack.map((s) => s.closer).reverse().join(''), path: stack.slice(1).map((s) => s.key) };
  };
  let i = 0;
  while (i < limit) {
    const ch = text[i]!;
    const top = stack.at(-1);
    if (ch === ' ' || ch === '\n' || ch === '\r' || ch === '\t' || ch === ':') {
      i += 1;
    } else if (ch === ',') {
      if (top?.closer === '}') top.expectKey = true;
      i += 1;
    } else if (ch === '{' || ch === '[') {
      const key = !top ? '' : top.closer === ']' ? top.count : top.pendingKey;
      stack.push({ closer: ch === '{' ? '}' : ']', key, count: 0, expectKey: ch === '{', pendingKey: '' });
      i += 1;
    } else if (ch === '}' || ch === ']') {
      if (!top) break;
      stack.pop();
      completed(i + 1);
      i += 1;
    } else if (ch === '"') {
      let j = i + 1;
      while (j < limit && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (j >= limit) break;
      if (top?.closer === '}' && top.expectKey) {
        try {
          top.pendingKey = JSON.parse(text.slice(i, j + 1)) as string;
        } catch {
          break;
        }
        top.expectKey = false;
      } else {
        completed(j + 1);
      }
      i = j + 1;
    } else {
      // A number or literal is complete only when something after it shows where it ends.
      let j = i;
      while (j < limit && !/[\s,\]}]/.test(text[j]!)) j += 1;
      if (j >= limit) break;
      completed(j);
      i = j;
    }
  }
  return cut;
}

