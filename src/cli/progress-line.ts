// One line of progress on stderr, redrawn in place, only when stderr is a terminal (a pipe or a log
// file gets the final message alone).

/** Redraws at most this often. */
const INTERVAL_MS = 200;

export interface ProgressLine {
  /** Shows `label: N% (done/total units)`, throttled. */
  update(done: number, total: number): void;
  /** Clears the line. */
  end(): void;
}

export function progressLine(label: string, units: string, stream: NodeJS.WriteStream = process.stderr): ProgressLine {
  if (!stream.isTTY) return { update: () => undefined, end: () => undefined };
  let last = 0;
  let shown = false;
  return {
    update(done, total) {
      const now = Date.now();
      if (now - last < INTERVAL_MS) return;
      last = now;
      shown = true;
      const percent = total > 0 ? Math.floor((done / total) * 100) : 100;
      stream.write(`\r${label}: ${percent}% (${done}/${total} ${units})\x1b[K`);
    },
    end() {
      if (shown) stream.write('\r\x1b[K');
    },
  };
}
