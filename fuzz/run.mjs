// `npm run fuzz -- [--minutes N] [--target T]... [--seed S] [--execs N] [--replay] [--json]`
// Fuzzes each target (all by default) for N minutes each (default 1), or for a fixed number of inputs
// (--execs, with --seed for a reproducible campaign). Prints execs per second and what was found;
// findings are minimized and saved to fuzz/corpus/<target>/. --replay runs the saved corpus instead.
// Exit code 1 when anything was found (or a corpus input fails), else 0.
import { parseArgs } from 'node:util';
import { TARGET_NAMES, replayCorpus, runCampaign } from './lib/campaign.mjs';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string' }, target: { type: 'string', multiple: true }, seed: { type: 'string' }, execs: { type: 'string' },
    replay: { type: 'boolean' }, json: { type: 'boolean' }, 'no-save': { type: 'boolean' }, 'time-limit': { type: 'string' }, help: { type: 'boolean', short: 'h' },
  },
  strict: true,
});
if (values.help) {
  process.stdout.write(`usage: npm run fuzz -- [--minutes N] [--target T]... [--seed S] [--execs N] [--replay] [--json] [--no-save] [--time-limit MS]
targets: ${TARGET_NAMES.join(', ')}
`);
  process.exit(0);
}
const targets = (values.target ?? TARGET_NAMES).flatMap((t) => t.split(','));
const log = (line) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
const timeLimit = values['time-limit'] ? Number(values['time-limit']) : undefined;
let failed = false;

for (const name of targets) {
  if (values.replay) {
    const results = await replayCorpus(name, { timeLimit });
    for (const r of results) {
      if (r.failure) failed = true;
      if (values.json) process.stdout.write(`${JSON.stringify({ target: name, file: r.file, failure: r.failure })}\n`);
      else process.stdout.write(`${r.failure ? 'FAIL' : 'ok  '} ${r.file}${r.failure ? `: ${r.failure.kind}: ${r.failure.message.split('\n')[0]}` : ''}\n`);
    }
    continue;
  }
  const seed = values.seed !== undefined ? Number(values.seed) : (Date.now() & 0x7fffffff);
  const minutes = Number(values.minutes ?? (values.execs ? Infinity : 1));
  const deadline = Date.now() + minutes * 60_000;
  const maxExecs = values.execs ? Number(values.execs) : Infinity;
  log(`${name}: seed ${seed}, ${Number.isFinite(minutes) ? `${minutes} min` : `${maxExecs} inputs`}`);
  const result = await runCampaign(name, { seed, deadline, maxExecs, save: !values['no-save'], log, timeLimit });
  if (result.findings.length > 0) failed = true;
  const summary = {
    target: name, seed, execs: result.execs, seconds: Math.round(result.seconds * 10) / 10,
    execsPerSecond: Math.round((result.execs / result.seconds) * 10) / 10, peakMemoryMiB: Math.round(result.peakMemory / 1048576),
    findings: result.findings.map((f) => ({ kind: f.kind, signature: f.signature, bytes: f.input?.length, file: f.file, message: f.message.slice(0, 2000),
      ...(f.input ? { inputBase64: f.input.toString('base64') } : {}) })),
  };
  if (values.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
  else process.stdout.write(`${name}: ${summary.execs} execs in ${summary.seconds} s (${summary.execsPerSecond}/s), peak ${summary.peakMemoryMiB} MiB, ${summary.findings.length} findings\n` +
    summary.findings.map((f) => `  ${f.signature}${f.file ? ` -> ${f.file}` : ''}\n`).join(''));
}
process.exit(failed ? 1 : 0);
