// "Copy as websocat" and "Copy as framescope send": one POSIX shell command each, whose standard input
// carries the message's exact bytes (printf with octal escapes where a byte is not plain text).
import { copiedHeaders, messageText, offeredProtocols, toBase64, type SnippetConnection, type SnippetMessage } from './snippet-input.js';

/** A word the shell reads back exactly: single quotes, a quote inside written as '\''. */
export function shellQuote(value: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/** printf with a format that writes exactly these bytes: plain ASCII as it is, others as \ooo. */
function printfBytes(data: Uint8Array): string {
  let format = '';
  for (const byte of data) {
    if (byte === 0x25) format += '%%';
    else if (byte === 0x5c) format += '\\\\';
    else if (byte >= 0x20 && byte < 0x7f && byte !== 0x27) format += String.fromCharCode(byte);
    else format += `\\${byte.toString(8).padStart(3, '0')}`;
  }
  return `printf '${format}'`;
}

/** printf that writes this text, with a trailing newline when asked: readable when the shell can carry it. */
function printfText(text: string, newline: boolean): string {
  return `printf '%s${newline ? '\\n' : ''}' ${shellQuote(text)}`;
}

/** Text a shell argument can carry (no NUL), or undefined. */
function shellText(message: Pick<SnippetMessage, 'opcode' | 'data'>): string | undefined {
  const text = messageText(message);
  return text !== undefined && !text.includes('\0') ? text : undefined;
}

/** `websocat` sends standard input as one message (--no-line --one-message), as text or binary. */
export function messageAsWebsocat(connection: SnippetConnection, message: SnippetMessage): string {
  const text = shellText(message);
  const input = text !== undefined ? printfText(text, false) : printfBytes(message.data);
  const args = ['websocat', '--no-line', '--one-message', message.opcode === 1 ? '--text' : '--binary'];
  for (const protocol of offeredProtocols(connection.rawHeaders)) args.push('--protocol', shellQuote(protocol));
  for (const [name, value] of copiedHeaders(connection.rawHeaders)) args.push('-H', shellQuote(`${name}: ${value}`));
  args.push(shellQuote(connection.url));
  return `${input} | ${args.join(' ')}\n`;
}

/**
 * `framescope send` sends one message per input line: text that has no line break goes as a line;
 * anything else goes with --binary as a base64 line, and a comment says when that turns text into binary.
 */
export function messageAsFramescopeSend(connection: SnippetConnection, message: SnippetMessage): string {
  const text = shellText(message);
  const asLine = text !== undefined && !/[\r\n]/.test(text);
  const args = ['framescope', 'send', shellQuote(connection.url)];
  if (!asLine) args.push('--binary');
  for (const protocol of offeredProtocols(connection.rawHeaders)) args.push('--protocol', shellQuote(protocol));
  for (const [name, value] of copiedHeaders(connection.rawHeaders)) args.push('--header', shellQuote(`${name}: ${value}`));
  const note = !asLine && message.opcode === 1
    ? '# framescope send takes one message per line: this text message cannot be one line, so it goes as a binary message of the same bytes\n'
    : '';
  return `${note}${asLine ? printfText(text, true) : printfText(toBase64(message.data), true)} | ${args.join(' ')}\n`;
}
