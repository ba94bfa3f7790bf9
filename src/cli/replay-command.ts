// `framescope replay FILE.har --connection N`: replays a recorded connection headless and prints how
// the server's answers compare with the recorded ones.
import { parseArgs } from 'node:util';
import { readFileSync } from 'node:fs';
import { importHar, formatHarImportProblem } from '../capture/har-import.js';
import { readErrorInWords } from '../file-errors.js';
import { Session } from '../capture/session.js';
import { ProxyServer } from '../proxy/proxy-server.js';
import { replayConnection } from '../proxy/replay.js';
import { messagesToReplay } from '../proxy/replay-comparison.js';
import { explainOpenFailure } from './open-failure.js';
import { parseInteger } from './engine-options.js';

const HELP = `usage: framescope replay FILE.har --connection N [--timing original|fast] [--speed X] [--target URL] [--as-sent] [--insecure]

Opens a new connection like connection N of the HAR (its URL, or --target; the recorded headers with
cookies and auth, a fresh key), sends the recorded client messages in order, and compares the server's
answers with the recorded ones: equal answers are matched wherever they are, the rest by position.
Messages the proxy injected toward the client are not answers. Exit code 0 when every answer is the
same, 1 otherwise.

By default it sends what the server received: messages dropped at a breakpoint are left out, edited
ones go as edited, injected ones go too. --as-sent sends what the client sent instead.

options:
  --connection N      which connection of the HAR (ids count from 1 in the file's order)
  --timing MODE       fast (back to back, the default) or original (the recorded gaps)
  --speed X           with --timing original: this many times faster (default 1)
  --target URL        replay against another ws:// or wss:// URL
  --as-sent           send the client's messages as it sent them, before breakpoints changed them
  --insecure          do not verify the target's TLS certificate
  --json              print the comparison as JSON
  -h, --help          show this help
`;

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: {
      connection: { type: 'string' }, timing: { type: 'string' }, speed: { type: 'string' }, target: { type: 'string' },
      insecure: { type: 'boolean' }, json: { type: 'boolean' }, 'as-sent': { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (positionals.length !== 1 || values.connection === undefined) {
    process.stderr.write(`framescope replay: a HAR file and --connection N are needed\n\n${HELP}`);
    return 2;
  }
  const timing = values.timing ?? 'fast';
  if (timing !== 'fast' && timing !== 'original') throw new Error('--timing is fast or original');
  const speed = values.speed === undefined ? 1 : Number(values.speed);
  if (!(speed > 0)) throw new Error('--speed takes a number above 0');
  const id = parseInteger(values.connection, 'connection', 1, 1, Number.MAX_SAFE_INTEGER);
  let text: string;
  try {
    text = readFileSync(positionals[0]!, 'utf8');
  } catch (error) {
    throw readErrorInWords(error, positionals[0]!);
  }
  const imported = importHar(text);
  for (const problem of imported.problems) process.stderr.write(`${positionals[0]}: ${formatHarImportProblem(problem)}\n`);
  const original = imported.connections.find((c) => c.id === id);
  if (!original) throw new Error(`${positionals[0]} has no connection ${id} (it has ${imported.connections.length})`);

  // The replay goes through an in-process proxy, so it is decoded and checked like any traffic.
  const session = new Session();
  const proxy = new ProxyServer(session, { insecure: values.insecure ?? false });
  const source = values['as-sent'] ? 'sent' : 'received';
  const target = values.target ?? original.url;
  let run;
  try {
    run = await replayConnection(proxy, session, original, original.messages, { timing, speed, targetUrl: target, source });
  } catch (error) {
    await proxy.close();
    process.stderr.write(`framescope replay: ${explainOpenFailure('replay', target, error)}\n`);
    return 1;
  }
  const comparison = await run.done;
  await proxy.close();
  if (values.json) {
    process.stdout.write(`${JSON.stringify(comparison, null, 2)}\n`);
  } else {
    const sent = messagesToReplay(original.messages, source).length;
    process.stdout.write(`replayed ${target}${target !== original.url ? ` (recorded at ${original.url})` : ''} (${sent} client messages${source === 'sent' ? ', as the client sent them' : ''})\n`);
    for (const row of comparison.rows) {
      process.stdout.write(`${String(row.index).padStart(4)}  ${row.status.padEnd(9)}  ${row.original ?? ''}${row.status === 'different' ? `  ->  ${row.replayed ?? ''}` : row.status === 'extra' ? row.replayed ?? '' : ''}\n`);
    }
    process.stdout.write(`same: ${comparison.same}, different: ${comparison.different}, missing: ${comparison.missing}, extra: ${comparison.extra}\n`);
  }
  return comparison.different + comparison.missing + comparison.extra === 0 ? 0 : 1;
}
