// `framescope send URL`: a WebSocket client for scripts. Sends each line of standard input as a text
// message and prints every frame the server sends as one JSON line (the HAR frame fields, the payload,
// and the message it completes). Ends with a close (1000) when the input ends.
import { parseArgs } from 'node:util';
import { createInterface } from 'node:readline';
import { Session } from '../capture/session.js';
import { ProxyServer } from '../proxy/proxy-server.js';
import { OwnClient } from '../proxy/own-client.js';
import { frameToJson } from '../protocol/frame-json.js';

const HELP = `usage: framescope send URL [--header "Name: value"]... [--protocol P]... [--binary] [--insecure]

Opens a WebSocket to URL (ws:// or wss://), sends each line of standard input as a message, and prints
each frame the server sends as a JSON line: the HAR frame fields, "payload" (base64), and on the frame
that completes a message, "message": {opcode, data, encoding?}. When the input ends it closes with 1000
and waits for the server's close. Exit code 0 after a clean close, 1 when the connection failed.

options:
  --header "N: V"     a request header (repeatable): cookies, tokens, Origin
  --protocol P        a subprotocol to offer (repeatable)
  --binary            each input line is base64 and is sent as a binary message
  --insecure          do not verify the server's TLS certificate
  --timeout MS        how long to wait for the server's close at the end (default 5000)
  -h, --help          show this help
`;

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: {
      header: { type: 'string', multiple: true }, protocol: { type: 'string', multiple: true }, binary: { type: 'boolean' },
      insecure: { type: 'boolean' }, timeout: { type: 'string' }, help: { type: 'boolean', short: 'h' },
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
  session.on('frame', (c, f) => {
    if (c.id !== id || f.direction !== 'receive') return;
    if (pending.length === 0) queueMicrotask(print);
    pending.push({ ...frameToJson(f.frame), payload: f.frame.payload.toString('base64') });
  });
  session.on('message', (c, m) => {
    const last = pending[pending.length - 1];
    if (c.id !== id || m.direction !== 'receive' || !last) return;
    const text = m.message.opcode === 1 ? decodeUtf8(m.message.data) : null;
    last.message = text !== null ? { opcode: 1, data: text } : { opcode: m.message.opcode, data: m.message.data.toString('base64'), encoding: 'base64' };
  });
  const closed = new Promise<void>((resolve) => session.on('connection-closed', (c) => { if (c.id === id) resolve(); }));

  let client: OwnClient;
  try {
    client = await OwnClient.open(proxy, { url: positionals[0]!, headers, protocols: values.protocol ?? [] });
  } catch (error) {
    process.stderr.write(`framescope send: ${(error as Error).message}\n`);
    await proxy.close();
    return 1;
  }
  id = client.id;
  let serverGone = false;
  void closed.then(() => { serverGone = true; });
  for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
    if (serverGone) break;
    if (values.binary) client.send(2, Buffer.from(line.trim(), 'base64'));
    else client.send(1, Buffer.from(line, 'utf8'));
  }
  if (!serverGone) client.close(1000, '');
  const timeout = Number(values.timeout ?? 5000);
  await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, timeout))]);
  print();
  const record = session.connections.find((c) => c.id === id);
  client.destroy();
  await proxy.close();
  return record?.close?.code === 1006 ? 1 : 0;
}

function decodeUtf8(data: Buffer): string | null {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(data);
  } catch {
    return null;
  }
}
