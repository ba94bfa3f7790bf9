// `framescope mock SOURCE`: serves the server side of a recorded connection as a WebSocket server,
// recording its own connections into a session like the proxy does, until SIGINT or SIGTERM.
import { parseArgs } from 'node:util';
import { SessionCatalog, sessionNameFor, validSessionName } from '../capture/session-catalog.js';
import { Session } from '../capture/session.js';
import { recordSession } from '../capture/session-recorder.js';
import type { CaptureStore } from '../capture/capture-store.js';
import { sessionsDir } from '../home.js';
import { startMock } from '../mock/mock-server.js';
import { loadMockSource } from '../mock/mock-source.js';
import { MATCH_LEVELS, MOCK_TIMINGS, type MatchLevel, type MockTiming } from '../mock/script-matcher.js';
import { listenerLimits, parseInteger, untilStopped } from './engine-options.js';

const HELP = `usage: framescope mock SOURCE [--connection N] [--port P] [--timing recorded|fast] [--match content|protocol|order] [options]

Serves the server side of a recorded WebSocket connection: a client that connects gets the recorded
handshake answer (the same subprotocol, and permessage-deflate with the recorded parameters, when it
offers them), the server's opening pushes, and for each message it sends, the server messages that
followed the matching client message in the recording. A client message the recording does not
answer is printed and recorded (a session error, and a note on the message).

SOURCE is a saved session's name (under FRAMESCOPE_HOME, see \`framescope sessions\`) or a HAR file.

options:
  --connection N      which connection (a session's connection id; in a HAR, ids count from 1 in the
                      file's order). Default: the first connection that opened (101)
  --port P            port to listen on (default 0: a free one)
  --host ADDR         address to listen on (default 127.0.0.1)
  --timing MODE       recorded (default): answers and pushes keep their recorded delays;
                      fast: everything at once, in order
  --match LEVEL       how loosely a client message may match a recorded one:
                      content   the same bytes only
                      protocol  the same bytes, else the same protocol fields: a packet's type and
                                event where a protocol lens recognises the recording (Socket.IO,
                                JSON-RPC, GraphQL over WebSocket, MQTT, STOMP...), else a JSON
                                object's type and event
                      order     the same bytes, else the same protocol fields, else the next recorded
                                client message in order (the default)
  --session NAME      record the mock's connections into this session (default: a new one, mock-DATE)
  --head-timeout MS   time a client has to send its request head (default 15000)
  --max-half-open N   connections still sending their first request head at once (default 1024)
  -h, --help          show this help

Once listening it prints: mock listening on HOST:PORT
`;

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: {
      connection: { type: 'string' }, port: { type: 'string' }, host: { type: 'string' }, timing: { type: 'string' }, match: { type: 'string' },
      session: { type: 'string' }, 'head-timeout': { type: 'string' }, 'max-half-open': { type: 'string' }, help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (positionals.length !== 1) {
    process.stderr.write(`framescope mock: one SOURCE (a session name or a HAR file) is needed\n\n${HELP}`);
    return 2;
  }
  const timing = (values.timing ?? 'recorded') as MockTiming;
  if (!MOCK_TIMINGS.includes(timing)) throw new Error(`--timing is ${MOCK_TIMINGS.join(' or ')}, not ${JSON.stringify(values.timing)}`);
  const match = (values.match ?? 'order') as MatchLevel;
  if (!MATCH_LEVELS.includes(match)) throw new Error(`--match is ${MATCH_LEVELS.join(', ')}, not ${JSON.stringify(values.match)}`);
  const connectionId = values.connection === undefined ? undefined : parseInteger(values.connection, 'connection', 1, 1, Number.MAX_SAFE_INTEGER);
  const port = parseInteger(values.port, 'port', 0, 0, 65535);
  if (values.session !== undefined && !validSessionName(values.session)) throw new Error(`--session: "${values.session}" is not a valid session name`);

  const catalog = new SessionCatalog(sessionsDir());
  const source = await loadMockSource(catalog, positionals[0]!, connectionId);
  if (values.session !== undefined && source.label.startsWith(`session ${values.session},`)) throw new Error('--session must name another session than the one mocked');
  for (const warning of source.warnings) process.stderr.write(`framescope: warning: ${warning}\n`);

  // The mock's own connections are recorded like the proxy's.
  const name = values.session ?? catalog.freeName(`mock-${sessionNameFor(new Date())}`);
  const store = catalog.exists(name) ? await catalog.open(name) : catalog.create(name);
  const session = new Session({ keepHistory: false, firstId: store.connections().reduce((max, c) => Math.max(max, c.id), 0) + 1 });
  const stopRecording = recordSession(session, store);
  let mock;
  try {
    mock = await startMock(source, {
      session, host: values.host, port, timing, match, ...listenerLimits(values),
      annotate: (connectionId, number, note) => store.putAnnotation({ connectionId, target: 'message', number, note, pinned: false, highlight: 'red', time: Date.now() }),
      onUnexpected: (u) => process.stdout.write(`unexpected: connection ${u.connectionId ?? '-'}, client message ${u.index}: ${u.opcode === 1 ? JSON.stringify(u.data.toString('utf8')) : `binary ${u.data.toString('hex')}`}\n`),
    });
  } catch (error) {
    stopRecording();
    closeStore(catalog, name, store);
    throw error;
  }
  const stopped = untilStopped();
  const host = mock.host.includes(':') ? `[${mock.host}]` : mock.host;
  process.stdout.write(`mock listening on ${host}:${mock.port}\n` +
    `serving: ${source.label} (recorded at ${source.url}): ${source.items.filter((i) => i.direction === 'send').length} client messages, ${source.items.filter((i) => i.direction === 'receive').length} server messages\n` +
    `timing: ${timing}, match: ${match}${match === 'content' ? '' : `, protocol fields: ${mock.lens ? `the ${mock.lens} lens's` : 'JSON type and event'}`}\n` +
    `session: ${name}\n`);
  const signal = await stopped;
  await mock.stop();
  stopRecording();
  closeStore(catalog, name, store);
  process.stdout.write(`stopped on ${signal}: ${mock.connectionIds.length} connection${mock.connectionIds.length === 1 ? '' : 's'}, ${mock.unexpectedCount} unexpected message${mock.unexpectedCount === 1 ? '' : 's'}\n`);
  process.exit(0);
}

function closeStore(catalog: SessionCatalog, name: string, store: CaptureStore): void {
  try {
    catalog.remember(name, store);
  } catch (error) {
    process.stderr.write(`framescope: warning: the listing of session ${name} could not be written: ${(error as Error).message}\n`);
  }
  store.close();
}
