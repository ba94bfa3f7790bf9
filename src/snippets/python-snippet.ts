// "Copy as Python": asyncio scripts on the `websockets` package that send a message again, or replay
// a whole connection as its server received it. Text is a str literal, other bytes a bytes literal,
// both escaped so that the source is ASCII and the values exact.
import { clientClose, conversation, copiedHeaders, messageText, offeredCompression, offeredProtocols, type SnippetConnection, type SnippetMessage } from './snippet-input.js';

/** A Python str literal: printable ASCII as it is, everything else escaped. */
export function pyString(value: string): string {
  let out = '"';
  for (const char of value) {
    const code = char.codePointAt(0)!;
    if (char === '"' || char === '\\') out += `\\${char}`;
    else if (code === 0x0a) out += '\\n';
    else if (code === 0x0d) out += '\\r';
    else if (code === 0x09) out += '\\t';
    else if (code >= 0x20 && code < 0x7f) out += char;
    else if (code <= 0xff) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else if (code <= 0xffff) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += `\\U${code.toString(16).padStart(8, '0')}`;
  }
  return `${out}"`;
}

/** A Python bytes literal: printable ASCII as it is, every other byte as \xNN. */
export function pyBytes(data: Uint8Array): string {
  let out = 'b"';
  for (const byte of data) {
    if (byte === 0x22 || byte === 0x5c) out += `\\${String.fromCharCode(byte)}`;
    else if (byte >= 0x20 && byte < 0x7f) out += String.fromCharCode(byte);
    else out += `\\x${byte.toString(16).padStart(2, '0')}`;
  }
  return `${out}"`;
}

function sendCall(message: Pick<SnippetMessage, 'opcode' | 'data'>): string {
  const text = messageText(message);
  if (text !== undefined) return `await ws.send(${pyString(text)})`;
  // websockets sends bytes as binary; a text message that is not valid UTF-8 needs text=True (websockets 14+).
  return message.opcode === 1 ? `await ws.send(${pyBytes(message.data)}, text=True)  # not valid UTF-8: needs websockets 14+` : `await ws.send(${pyBytes(message.data)})`;
}

/** The import of connect() and the keyword its headers go by, which changed in websockets 13. */
const IMPORTS = `import asyncio

try:
    from websockets.asyncio.client import connect  # websockets 13+
    HEADERS = "additional_headers"
except ImportError:
    from websockets import connect
    HEADERS = "extra_headers"
from websockets.exceptions import ConnectionClosed`;

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A header value as websockets takes it. Captured headers hold one char per octet (latin1), and
 * websockets writes a str as UTF-8, so octets that are UTF-8 go as the text they spell; others (rare)
 * cannot be written by websockets and go as they were read.
 */
function headerValue(value: string): string {
  if (!/[^ -~\t]/.test(value)) return value;
  try {
    return strictUtf8.decode(Uint8Array.from(value, (c) => c.charCodeAt(0) & 0xff));
  } catch {
    return value;
  }
}

function connectCall(connection: SnippetConnection): string {
  const args = [pyString(connection.url)];
  const protocols = offeredProtocols(connection.rawHeaders);
  if (protocols.length > 0) args.push(`subprotocols=[${protocols.map(pyString).join(', ')}]`);
  const headers = copiedHeaders(connection.rawHeaders);
  if (headers.length > 0) args.push(`**{HEADERS: [\n${headers.map(([name, value]) => `        (${pyString(name)}, ${pyString(headerValue(value))}),`).join('\n')}\n    ]}`);
  if (!offeredCompression(connection.rawHeaders)) args.push('compression=None');
  return `connect(${args.join(', ')})`;
}

const PRINT = `def show(message):
    print(f"text {message}" if isinstance(message, str) else f"binary {base64.b64encode(message).decode()}", flush=True)`;

/** A script that opens the message's connection, sends the message, prints the first answer (5 s at most) and closes. */
export function messageAsPython(connection: SnippetConnection, message: SnippetMessage): string {
  return `# Sends a message to ${connection.url} again (Framescope). Python 3.8+ with \`pip install websockets\`.
${IMPORTS}
import base64


${PRINT}


async def main():
    async with ${connectCall(connection)} as ws:
        ${sendCall(message)}
        try:
            show(await asyncio.wait_for(ws.recv(), 5))
        except (asyncio.TimeoutError, ConnectionClosed):
            pass


asyncio.run(main())
`;
}

/**
 * A script that opens the connection again and sends what the server received, in order; before each
 * message it waits (5 s at most) for the answers the server had sent by then in the original.
 */
export function connectionAsPython(connection: SnippetConnection, messages: readonly SnippetMessage[]): string {
  const { sends, answers } = conversation(messages);
  const close = clientClose(connection);
  const steps: string[] = [];
  let waited = 0;
  for (const { message, answersBefore } of sends) {
    if (answersBefore > waited) steps.push(`await answers(${answersBefore})`);
    waited = Math.max(waited, answersBefore);
    steps.push(sendCall(message));
  }
  if (answers > waited) steps.push(`await answers(${answers})`);
  steps.push(`await ws.close(${close.code}, ${pyString(close.reason)})`);
  return `# Replays ${connection.url} as its server received it: ${sends.length} message(s) from the client, each after the
# answers the server had sent by then (Framescope). Python 3.8+ with \`pip install websockets\`.
${IMPORTS}
import base64


${PRINT}


async def main():
    async with ${connectCall(connection)} as ws:
        received = 0

        async def answers(count):
            """Waits until the server has sent count messages in all; gives up after 5 s without one, or on close."""
            nonlocal received
            while received < count:
                try:
                    show(await asyncio.wait_for(ws.recv(), 5))
                except (asyncio.TimeoutError, ConnectionClosed):
                    return
                received += 1

${steps.map((s) => `        ${s}`).join('\n')}


asyncio.run(main())
`;
}
