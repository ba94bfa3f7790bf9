// "Copy as JavaScript": Node scripts on the `ws` package that send a message again, or replay a whole
// connection as its server received it. Every literal is exact: text as a JSON string, other bytes
// as base64, a text message that is not valid UTF-8 as its bytes in a text frame.
import { clientClose, conversation, copiedHeaders, messageText, offeredCompression, offeredProtocols, toBase64, type SnippetConnection, type SnippetMessage } from './snippet-input.js';

const str = (value: string) => JSON.stringify(value);

/** The expression ws.send() takes for a message, and its options. */
function sendCall(message: Pick<SnippetMessage, 'opcode' | 'data'>): string {
  const text = messageText(message);
  if (text !== undefined) return `ws.send(${str(text)});`;
  const bytes = `Buffer.from(${str(toBase64(message.data))}, 'base64')`;
  // ws sends a Buffer as binary unless told otherwise; a text message that is not valid UTF-8 goes as it was.
  return message.opcode === 1 ? `ws.send(${bytes}, { binary: false });` : `ws.send(${bytes});`;
}

/** `new WebSocket(...)` with the offered subprotocols, the copied headers and compression as offered. */
function connect(connection: SnippetConnection): string {
  const protocols = offeredProtocols(connection.rawHeaders);
  const headers = new Map<string, string>();
  for (const [name, value] of copiedHeaders(connection.rawHeaders)) {
    const previous = headers.get(name);
    headers.set(name, previous === undefined ? value : `${previous}${name.toLowerCase() === 'cookie' ? '; ' : ', '}${value}`);
  }
  const options: string[] = [];
  if (headers.size > 0) options.push(`headers: {\n${[...headers].map(([name, value]) => `    ${str(name)}: ${str(value)},`).join('\n')}\n  }`);
  if (!offeredCompression(connection.rawHeaders)) options.push('perMessageDeflate: false');
  return `const ws = new WebSocket(${str(connection.url)}, ${JSON.stringify(protocols)}, {${options.length ? `\n  ${options.join(',\n  ')},\n` : ''}});`;
}

const PRINT = `ws.on('message', (data, isBinary) => console.log(isBinary ? \`binary \${data.toString('base64')}\` : \`text \${data.toString()}\`));`;

/** A script that opens the message's connection, sends the message, prints the first answer (5 s at most) and closes. */
export function messageAsJavaScript(connection: SnippetConnection, message: SnippetMessage): string {
  return `// Sends a message to ${connection.url} again (Framescope). Node 18+ with \`npm install ws\`; save as send.mjs.
import WebSocket from 'ws';

${connect(connection)}
${PRINT}
ws.on('message', () => ws.close(1000));
ws.on('error', (error) => {
  console.error(error.message);
  process.exitCode = 1;
});
ws.on('open', () => {
  ${sendCall(message)}
  // No answer within 5 s: close anyway.
  setTimeout(() => ws.close(1000), 5000).unref();
});
`;
}

/**
 * A script that opens the connection again and sends what the server received, in order; before each
 * message it waits (5 s at most) for the answers the server had sent by then in the original.
 */
export function connectionAsJavaScript(connection: SnippetConnection, messages: readonly SnippetMessage[]): string {
  const { sends, answers } = conversation(messages);
  const close = clientClose(connection);
  const steps: string[] = [];
  let waited = 0;
  for (const { message, answersBefore } of sends) {
    if (answersBefore > waited) steps.push(`await answers(${answersBefore});`);
    waited = Math.max(waited, answersBefore);
    steps.push(sendCall(message));
  }
  if (answers > waited) steps.push(`await answers(${answers});`);
  steps.push(close.reason ? `ws.close(${close.code}, ${str(close.reason)});` : `ws.close(${close.code});`);
  return `// Replays ${connection.url} as its server received it: ${sends.length} message(s) from the client, each after the
// answers the server had sent by then (Framescope). Node 18+ with \`npm install ws\`; save as replay.mjs.
import WebSocket from 'ws';
import { setTimeout as sleep } from 'node:timers/promises';

${connect(connection)}
let received = 0;
let heard = () => {};
${PRINT}
ws.on('message', () => {
  received++;
  heard();
});
const closed = new Promise((resolve) => ws.once('close', resolve));

/** Waits until the server has sent \`count\` messages in all; gives up after 5 s without one, or on close. */
async function answers(count) {
  while (received < count) {
    const more = await Promise.race([new Promise((resolve) => (heard = () => resolve(true))), closed.then(() => false), sleep(5000, false, { ref: false })]);
    if (!more) return;
  }
}

await new Promise((resolve, reject) => {
  ws.once('open', resolve);
  ws.once('error', reject);
});
${steps.join('\n')}
await closed;
`;
}
