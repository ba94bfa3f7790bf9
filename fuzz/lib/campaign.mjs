// A campaign against one target: inputs from three sources (byte mutations of the corpus and seeds,
// fast-check's structured generator, and mutations of what it generates), run in batches by the
// target's runner; every failure is minimized and saved to fuzz/corpus/<target>/ unless it is known.
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InProcessRunner } from './in-process.mjs';
import { SocketRunner } from './socket-runner.mjs';
import { Random, mutate } from './mutate.mjs';

export const CORPUS_DIR = new URL('../corpus/', import.meta.url).pathname;
const TARGETS_DIR = new URL('../targets/', import.meta.url);

export const TARGET_NAMES = ['http-head', 'frame-stream', 'handshake', 'har-import', 'proxy-listener', 'ui-listener', 'control-socket', 'control-api'];

export async function loadTarget(name) {
  if (!TARGET_NAMES.includes(name)) throw new Error(`no fuzz target "${name}" (targets: ${TARGET_NAMES.join(', ')})`);
  const url = new URL(`${name}.mjs`, TARGETS_DIR).href;
  return { target: (await import(url)).default, url };
}

export function corpusOf(name) {
  const dir = join(CORPUS_DIR, name);
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => f.endsWith('.bin')).sort().map((f) => ({ file: join(dir, f), bytes: readFileSync(join(dir, f)) }));
}

export function makeRunner(target, url, options) {
  const memoryLimit = options.memoryLimit ?? 512 * 1024 * 1024;
  if (target.kind === 'socket') return new SocketRunner({ target, timeLimit: options.timeLimit ?? 5000, memoryLimit: options.engineMemoryLimit ?? 1024 * 1024 * 1024 });
  return new InProcessRunner({ targetUrl: url, timeLimit: options.timeLimit ?? 3000, heapLimitMb: 768, memoryLimit });
}

/** What a failure is, for telling one bug from another: its kind and first line, numbers blanked. */
export function signatureOf(failure) {
  const first = failure.message.split('\n')[0].replace(/\d+/g, 'N').slice(0, 160);
  const where = failure.message.split('\n').find((l) => l.includes('/dist/src/'))?.replace(/:\d+(:\d+)?\)?$/, '').trim() ?? '';
  return `${failure.kind}: ${first}${where ? ` @ ${where.slice(where.indexOf('/dist/src/'))}` : ''}`;
}

/** Removes what the failure does not need (ddmin over byte runs), within a trial and time budget. */
export async function minimize(runner, input, failure, { maxTrials = 300, maxMs = 60_000 } = {}) {
  const deadline = Date.now() + maxMs;
  let trials = 0;
  const reproduces = async (candidate) => {
    trials++;
    const result = await runner.run([candidate]);
    return result.failures.some((f) => f.kind === failure.kind && (f.kind !== 'crash' || signatureOf(f) === signatureOf(failure)));
  };
  let current = input;
  let parts = 2;
  while (current.length >= 2 && trials < maxTrials && Date.now() < deadline) {
    const size = Math.ceil(current.length / parts);
    let reduced = false;
    for (let at = 0; at < current.length && trials < maxTrials && Date.now() < deadline; at += size) {
      const candidate = Buffer.concat([current.subarray(0, at), current.subarray(at + size)]);
      if (await reproduces(candidate)) {
        current = candidate;
        parts = Math.max(parts - 1, 2);
        reduced = true;
        break;
      }
    }
    if (!reduced) {
      if (parts >= current.length) break;
      parts = Math.min(current.length, parts * 2);
    }
  }
  return { input: current, trials };
}

export function saveToCorpus(name, kind, input) {
  const dir = join(CORPUS_DIR, name);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, `${kind}-${createHash('sha1').update(input).digest('hex').slice(0, 12)}.bin`);
  writeFileSync(file, input, { mode: 0o600 });
  return file;
}

/**
 * Runs a campaign until `deadline` (epoch ms) or `maxExecs` inputs. Returns { execs, seconds, findings,
 * peakMemory }; each finding is { kind, signature, message, input, file? }.
 */
export async function runCampaign(name, { seed, deadline = Infinity, maxExecs = Infinity, save = true, log = () => {}, timeLimit } = {}) {
  const { target, url } = await loadTarget(name);
  const runner = makeRunner(target, url, { timeLimit });
  const random = new Random(seed);
  const corpus = corpusOf(name).map((c) => c.bytes);
  const pool = [...target.seeds(), ...corpus];
  const arbitrary = target.arbitrary(fc);
  const options = () => ({ maxLength: target.maxLength, others: pool, dictionary: target.dictionary });
  let generated = [];
  const nextGenerated = () => {
    if (generated.length === 0) generated = fc.sample(arbitrary, { seed: random.next() | 0, numRuns: 64 });
    return generated.pop();
  };
  const batchSize = target.kind === 'socket' ? 24 : 64;
  const findings = [];
  const known = new Set();
  let execs = 0;
  let peakMemory = 0;
  const started = Date.now();
  let lastLog = started;
  try {
    // The seeds and the saved corpus first, as they are.
    let queue = [...pool];
    while (Date.now() < deadline && execs < maxExecs) {
      const inputs = [];
      while (inputs.length < batchSize && inputs.length + execs < maxExecs) {
        if (queue.length > 0) { inputs.push(queue.shift()); continue; }
        const choice = random.below(10);
        let input;
        if (choice < 4) input = mutate(random.pick(pool), random, options());
        else if (choice < 8) input = nextGenerated();
        else input = mutate(nextGenerated(), random, options());
        if (random.below(64) === 0 && pool.length < 1000) pool.push(input);
        inputs.push(input);
      }
      if (inputs.length === 0) break;
      const result = await runner.run(inputs);
      execs += result.done;
      peakMemory = Math.max(peakMemory, result.peak ?? 0);
      if (result.done < inputs.length) queue = inputs.slice(result.done).concat(queue);
      for (const failure of result.failures) {
        const signature = signatureOf(failure);
        if (known.has(signature)) continue;
        known.add(signature);
        const input = failure.index >= 0 ? inputs[failure.index] : null;
        log(`${name}: ${signature} (input of ${input?.length ?? '?'} bytes); minimizing`);
        const finding = { kind: failure.kind, signature, message: failure.message };
        if (input) {
          const small = await minimize(runner, input, failure);
          finding.input = small.input;
          if (save) finding.file = saveToCorpus(name, failure.kind, small.input);
          log(`${name}: minimized to ${small.input.length} bytes in ${small.trials} trials${finding.file ? `: ${finding.file}` : ''}`);
        }
        findings.push(finding);
      }
      if (Date.now() - lastLog > 30_000) {
        lastLog = Date.now();
        log(`${name}: ${execs} execs, ${(execs / ((Date.now() - started) / 1000)).toFixed(1)}/s, ${findings.length} findings`);
      }
    }
  } finally {
    await runner.stop();
  }
  return { execs, seconds: (Date.now() - started) / 1000, findings, peakMemory };
}

/** Runs every saved corpus input of a target once; returns [{ file, failure|null }]. */
export async function replayCorpus(name, { timeLimit } = {}) {
  const { target, url } = await loadTarget(name);
  const runner = makeRunner(target, url, { timeLimit });
  const results = [];
  try {
    for (const { file, bytes } of corpusOf(name)) {
      const result = await runner.run([bytes]);
      results.push({ file, failure: result.failures[0] ?? null });
    }
  } finally {
    await runner.stop();
  }
  return results;
}
