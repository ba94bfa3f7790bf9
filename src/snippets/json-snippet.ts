// "Copy as JSON": a message as HAR writes it in _webSocketMessages (Chrome's format): text as UTF-8,
// anything else as base64, time in epoch seconds.
import { messageText, toBase64, type SnippetMessage } from './snippet-input.js';

export function messageAsJson(message: SnippetMessage): string {
  const text = messageText(message);
  const entry: Record<string, unknown> = {
    type: message.direction,
    time: message.time / 1000,
    opcode: message.opcode,
    data: text ?? toBase64(message.data),
  };
  // A text message that is not valid UTF-8 cannot be a JSON string: its bytes go as base64, said so.
  if (text === undefined && message.opcode === 1) entry.encoding = 'base64';
  // Framescope's flags, as its HAR writes them.
  if (message.injected) entry.injected = true;
  if (message.edited) entry.edited = true;
  if (message.dropped) entry.dropped = true;
  return `${JSON.stringify(entry, null, 2)}\n`;
}
