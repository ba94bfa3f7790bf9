// The control API's messages, over a real WebSocket with the token: every command with well-typed, ill-typed
// and absurd parameters, and JSON mangled byte by byte. Each input is one text message; the target waits
// for its answer (or 50 ms for a message without a whole-number id, which the API answers with an error event). Connections Framescope opens itself go only to
// the local echo server.
import { WebSocket } from 'ws';
import { fillPlaceholders } from '../lib/socket-runner.mjs';

const METHODS = ['hello', 'listConnections', 'getConnection', 'queryFrames', 'getFrame', 'queryMessages', 'getMessage', 'search', 'cancelSearch',
  'exportHar', 'importHar', 'listSessions', 'newSession', 'openSession', 'saveSession', 'deleteSession', 'setRecording', 'inject', 'resend',
  'sendRawFrame', 'closeConnection', 'listBreakpoints', 'setBreakpoint', 'deleteBreakpoint', 'setBreakpointsEnabled', 'listHeld', 'resolveHeld',
  'resolveAllHeld', 'openClient', 'replay'];

const clients = new Map();

function clientFor(context) {
  let client = clients.get(context.uiPort);
  if (client && client.ws.readyState <= WebSocket.OPEN) return client;
  for (const [port, old] of clients) {
    old.ws.terminate();
    clients.delete(port);
  }
  const ws = new WebSocket(`ws://127.0.0.1:${context.uiPort}/control?token=${context.token}`);
  client = { ws, waiting: new Map(), opened: new Promise((resolve) => { ws.once('open', () => resolve(true)); ws.once('error', () => resolve(false)); ws.once('close', () => resolve(false)); }) };
  ws.on('message', (data) => {
    let message;
    try { message = JSON.parse(data.toString()); } catch { return; }
    if (message.type === 'response') client.waiting.get(message.id)?.();
  });
  ws.on('error', () => {});
  ws.on('close', () => { for (const done of client.waiting.values()) done(); });
  clients.set(context.uiPort, client);
  return client;
}

/** Connections the engine opens itself must stay on this machine: anything else is sent as hello. */
function outward(text) {
  let message;
  try { message = JSON.parse(text); } catch { return false; }
  const params = message?.params;
  if (!params || typeof params !== 'object') return false;
  const urls = [params.url, params.targetUrl].filter((u) => u !== undefined);
  return urls.some((u) => typeof u !== 'string' || !/^wss?:\/\/127\.0\.0\.1:\d+(\/|$)/.test(u));
}

const seedMessages = [
  { id: 1, method: 'hello', params: {} },
  { id: 2, method: 'openClient', params: { url: 'ws://127.0.0.1:{{ECHO}}/fuzz', headers: [['X-A', 'b']], protocols: ['p'] } },
  { id: 3, method: 'inject', params: { connectionId: 1, direction: 'send', message: { kind: 'text', text: 'hi' } } },
  { id: 4, method: 'sendRawFrame', params: { connectionId: 1, direction: 'receive', frame: { fin: true, rsv1: false, rsv2: false, rsv3: false, opcode: 1, mask: false, payloadBase64: 'aGk=', payloadLength: 'BIG', lengthForm: 64 } } },
  { id: 5, method: 'queryFrames', params: { connectionId: 1, start: 0, end: 100, filter: { direction: 'send', opcode: 1 } } },
  { id: 6, method: 'search', params: { connectionId: null, filter: { text: 'hi', regex: '(a+)+$', flags: 'i' } } },
  { id: 7, method: 'importHar', params: { text: '{"log":{"entries":[]}}', name: 'x' } },
  { id: 8, method: 'setBreakpoint', params: { rule: { id: 0, urlContains: '', direction: 'both', enabled: true } } },
  { id: 9, method: 'resolveAllHeld', params: { action: 'forward' } },
  { id: 10, method: 'closeConnection', params: { connectionId: 1, mode: 'clean', toward: 'both', code: 4000, reason: 'r' } },
  { id: 11, method: 'replay', params: { connectionId: 1, timing: 'fast' } },
  { id: 12, method: 'getFrame', params: { connectionId: 1, number: -1 } },
  { id: 13, method: 'exportHar', params: {} },
  { id: 14, method: 'newSession', params: { name: 'fuzz session' } },
];

export default {
  name: 'control-api',
  kind: 'socket',
  // One message at a time: concurrent inputs may carry the same id.
  concurrency: 1,
  maxLength: 4096,
  dictionary: ['"id":', '"method":', '"params":', 'null', '-1', '1e308', '9007199254740993', '[]', '{}', '"__proto__"', '"constructor"', ...METHODS.map((m) => `"${m}"`)]
    .map((s) => Buffer.from(s)),
  // A length past 2^53, written as JSON writes it (a literal here would lose its last digit).
  seeds: () => seedMessages.map((m) => Buffer.from(JSON.stringify(m).replace('"BIG"', '9007199254740993'))),
  arbitrary: (fc) => fc.record({
    id: fc.oneof(fc.integer(), fc.double(), fc.string()),
    method: fc.oneof(fc.constantFrom(...METHODS), fc.string()),
    params: fc.oneof(fc.anything({ maxDepth: 3 }), fc.record({
      connectionId: fc.oneof(fc.integer({ min: -1, max: 3 }), fc.constant(null), fc.double()), id: fc.integer({ min: -1, max: 3 }),
      number: fc.integer({ min: -2, max: 5 }), start: fc.oneof(fc.integer(), fc.double()), end: fc.oneof(fc.integer(), fc.double()),
      name: fc.string({ maxLength: 12 }), direction: fc.constantFrom('send', 'receive', 'x'), on: fc.anything(), text: fc.string(),
      message: fc.record({ kind: fc.constantFrom('text', 'binary', 'ping', 'pong', 'close', 'x'), text: fc.string(), dataBase64: fc.base64String(), closeCode: fc.integer({ min: -1, max: 70000 }) }),
      url: fc.constantFrom('ws://127.0.0.1:{{ECHO}}/a', 'ws://127.0.0.1:1/', 'ws://127.0.0.1:{{PROXY}}/'),
      timing: fc.constantFrom('fast', 'original', 'x'), mode: fc.constantFrom('clean', 'abrupt'), toward: fc.constantFrom('client', 'server', 'both'),
      action: fc.constantFrom('forward', 'drop', 'x'),
    }, { requiredKeys: [] })),
  }).map((m) => Buffer.from(JSON.stringify(m))),
  async send(input, context) {
    const client = clientFor(context);
    if (!(await client.opened)) return;
    let text = fillPlaceholders(input, context).toString('latin1');
    if (outward(text)) text = '{"id":0,"method":"hello","params":{}}';
    // The API answers by id a request whose id is a whole number; anything else gets an error event.
    let id;
    try {
      const message = JSON.parse(text);
      if (Number.isSafeInteger(message?.id)) id = message.id;
    } catch { id = undefined; }
    await new Promise((resolve) => {
      const timer = setTimeout(done, typeof id === 'number' ? 2000 : 50);
      function done() {
        clearTimeout(timer);
        if (client.waiting.get(id) === done) client.waiting.delete(id);
        resolve();
      }
      if (typeof id === 'number') client.waiting.set(id, done);
      client.ws.send(Buffer.from(text, 'latin1'), { binary: false }, (error) => { if (error) done(); });
    });
  },
};
