// Reads the V8 CPU profiles that `node --cpu-prof` wrote for one process and lists the functions
// with the most self time, so a bench can say where the proxy spends its CPU.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('../..', import.meta.url).pathname;

/**
 * @param {string} dir where --cpu-prof-dir pointed
 * @param {number} pid the profiled process (its id is in the file name)
 * @param {number} top how many functions to list
 * @returns {string[]} one line per function: share of the busy (non-idle) time, self milliseconds, name and place
 */
export function summarizeCpuProfiles(dir, pid, top) {
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile') && f.includes(`.${pid}.`));
  if (files.length === 0) return [`no profile for process ${pid} in ${dir}`];
  const selfMicros = new Map();
  let total = 0;
  for (const file of files) {
    const profile = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
    profile.samples.forEach((id, i) => {
      const { functionName, url, lineNumber } = nodes.get(id).callFrame;
      const place = url ? `${relative(root, url.replace(/^file:\/\//, ''))}:${lineNumber + 1}` : '';
      const key = `${functionName || '(anonymous)'} ${place}`.trim();
      const delta = profile.timeDeltas[i] ?? 0;
      selfMicros.set(key, (selfMicros.get(key) ?? 0) + delta);
      total += delta;
    });
  }
  const idle = selfMicros.get('(idle)') ?? 0;
  selfMicros.delete('(idle)');
  const busy = total - idle;
  const lines = [...selfMicros.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([key, micros]) => `${((micros / busy) * 100).toFixed(1).padStart(5)}%  ${(micros / 1000).toFixed(0).padStart(6)} ms  ${key}`);
  return [`${files.join(', ')}: ${(total / 1e6).toFixed(1)} s profiled, ${(busy / 1e6).toFixed(1)} s busy; share of busy time:`, ...lines];
}
