// `framescope send URL`: a WebSocket client for scripts. Sends each line of standard input as a text
// message and prints every frame the server sends as one JSON line (the HAR frame fields, the payload,
// and the message it completes). When the input ends it lingers until every line is on the wire and
// the server has gone quiet, then closes (1000) and waits for the server's close. A server that is
// still answering when a close arrives may drop its answers and the messages behind them (Python's
// websockets does), so the close goes only after the answers have stopped coming.
import { parseArgs } from 'node:util';
import { createInterface } from 'node:readline';
import { Session } from '../capture/session.js';
import { ProxyServer } from '../proxy/proxy-server.js';
import { OwnClient } from '../proxy/own-client.js';
import { frameToJson } from '../protocol/frame-json.js';
import { explainOpenFailure } from './open-failure.js';

const HELP = `usage: framescope send URL [--header "Name: value"]... [--protocol P]... [--binary] [--insecure]

Opens a WebSocket to URL (ws:// or wss://), sends each line of standard input as a message, and prints
each frame the server sends as a JSON line: the HAR frame fields, "payload" (base64), and on the frame
that completes a message, "message": {opcode, data, encoding?}. When the input ends it closes with 1000
once every line has been written and the server has sent nothing for --linger ms, and waits for the
server's close. Exit code 0 after a clean close; 1 when the connection failed or the server did not
answer the close with its own.

options:
  --header "N: V"     a request header (repeatable): cookies, tokens, Origin
  --protocol P        a subprotocol to offer (repeatable)
  --binary            each input line is base64 and is sent as a binary message
  --insecure          do not verify the server's TLS certificate
  --linger MS         after the input ends, how long the server must be quiet before the close
                      (default 500); a server that never goes quiet is closed after --timeout
  --timeout MS        how long each step at the end may take: the linger, then the server's close
                      (default 5000)
  -h, --help          show this help
`;

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: {
      header: { type: 'string', multiple: true }, protocol: { type: 'string', multiple: true }, binary: { type: 'boolean' },
      insecure: { type: 'boolean' }, timeout: { type: 'string' }, linger: { type: 'string' }, help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (positionals.length !== 1) {
    process.stderr.write(`framescope send: one URL is needed\n\n${HELP}`);
    return 2;
  }
  const headers = (values.header ?? []).map((h): [string, string] => {
    const at = h.indexOf(':');
    if (at <= 0) throw new Error(`--header takes "Name: value", not ${JSON.stringify(h)}`);
    return [h.slice(0, at).trim(), h.slice(at + 1).trim()];
  });
  const session = new Session({ keepHistory: false });
  const proxy = new ProxyServer(session, { insecure: values.insecure ?? false });
  let id = -1;
  // A frame's line waits for the message it completes (recorded right after it, in the same turn).
  const pending: Record<string, unknown>[] = [];
  const print = () => {
    for (const line of pending.splice(0)) process.stdout.write(`${JSON.stringify(line)}\n`);
  };
  // What the end of the run waits on: our lines on the wire, the server's last word, its close.
  let linesOnWire = 0;
  let lastHeard = Date.now();
  let serverCloseSeen = false;
  let closeSent = false;
  let connectionGone = false;
  session.on('frame', (c, f) => {
    if (c.id !== id) return;
    if (f.direction === 'send') {
      if (f.frame.opcode === 1 || f.frame.opcode === 2) linesOnWire++;
      return;
    }
    lastHeard = Date.now();
    if (f.frame.opcode === 8 && !serverCloseSeen) {
      serverCloseSeen = true;
      // The closing handshake (RFC 6455 section 5.5.1): answer a close with a close.
      if (!closeSent) {
        closeSent = true;
        client.close(f.frame.closeCode ?? 1000, '');
      }
    }
    if (pending.length === 0) queueMicrotask(print);
    pending.push({ ...frameToJson(f.frame), payload: f.frame.payload.toString('base64') });
  });
  session.on('message', (c, m) => {
    const last = pending[pending.length - 1];
    if (c.id !== id || m.direction !== 'receive' || !last) return;
    const text = m.message.opcode === 1 ? decodeUtf8(m.message.data) : null;
    last.message = text !== null ? { opcode: 1, data: text } : { opcode: m.message.opcode, data: m.message.data.toString('base64'), encoding: 'base64' };
  });
  session.on('connection-closed', (c) => { if (c.id === id) connectionGone = true; });

  let client: OwnClient;
  try {
    client = await OwnClient.open(proxy, { url: positionals[0]!, headers, protocols: values.protocol ?? [] });
  } catch (error) {
    process.stderr.write(`framescope send: ${explainOpenFailure('send', positionals[0]!, error)}\n`);
    await proxy.close();
    return 1;
  }
  id = client.id;
  let linesSent = 0;
  for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
    if (serverCloseSeen || connectionGone) break;
    if (values.binary) client.send(2, Buffer.from(line.trim(), 'base64'));
    else client.send(1, Buffer.from(line, 'utf8'));
    linesSent++;
  }
  const timeout = Number(values.timeout ?? 5000);
  const linger = Number(values.linger ?? 500);
  // Linger: every line on the wire, then nothing from the server for `linger` ms (at most `timeout`).
  await until(() => serverCloseSeen || connectionGone || (linesOnWire >= linesSent && Date.now() - lastHeard >= linger), timeout);
  if (!closeSent && !connectionGone) {
    closeSent = true;
    client.close(1000, '');
  }
  // The server's close, and the end of the connection that follows it.
  await until(() => connectionGone || serverCloseSeen, timeout);
  if (serverCloseSeen) await until(() => connectionGone, Math.min(timeout, 1000));
  print();
  client.destroy();
  await proxy.close();
  if (!serverCloseSeen) {
    process.stderr.write(connectionGone
      ? 'framescope send: the connection ended without a close frame from the server\n'
      : `framescope send: the server did not answer the close within ${timeout} ms\n`);
    return 1;
  }
  return 0;
}

/** Resolves true once ready() holds (checked every 10 ms), or false after timeoutMs. */
async function until(ready: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!ready()) {
    const left = deadline - Date.now();
    if (left <= 0) return false;
    await new Promise((resolve) => setTimeout(resolve, Math.min(10, left)));
  }
  return true;
}

function decodeUtf8(data: Buffer): string | null {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(data);
  } catch {
    return null;
  }
}
