// Reads what the "Copy as" snippets are made from (src/snippets/): a connection's URL, request headers
// and close, and its messages, through the control API.
import type { ControlClient } from '../api/control-client.js';
import type { MessageSummary } from '../api/wire.js';
import { base64ToBytes } from '../protocol/bytes.js';
import type { SnippetConnection, SnippetMessage } from '../../../src/snippets/snippet-input.js';

const PAGE = 2000;

export async function snippetConnection(client: ControlClient, connectionId: number): Promise<SnippetConnection> {
  const detail = await client.request('getConnection', { id: connectionId });
  return { url: detail.url, rawHeaders: detail.request.rawHeaders, close: detail.close };
}

/** A message with its data, for a message snippet. */
export function snippetMessage(summary: Omit<MessageSummary, 'preview' | 'previewKind'>, data: Uint8Array): SnippetMessage {
  return { direction: summary.direction, opcode: summary.opcode, data, time: summary.time, injected: summary.injected, edited: summary.edited, dropped: summary.dropped };
}

/**
 * Every message of a connection, for a connection script: the data of each message the client sent;
 * the server's are only counted by the script, so their data is not read.
 */
export async function snippetMessages(client: ControlClient, connectionId: number): Promise<SnippetMessage[]> {
  const messages: SnippetMessage[] = [];
  for (let start = 0; ; start += PAGE) {
    const page = await client.request('queryMessages', { connectionId, start, end: start + PAGE });
    const data = await Promise.all(page.messages.map(async (m) => (m.direction === 'send' && !m.dropped
      ? base64ToBytes((await client.request('getMessage', { connectionId, number: m.number })).dataBase64)
      : new Uint8Array())));
    page.messages.forEach((m, i) => messages.push(snippetMessage(m, data[i]!)));
    if (page.messages.length === 0 || start + page.messages.length >= page.total) return messages;
  }
}
