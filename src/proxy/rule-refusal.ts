// The answer a rule gives instead of the server's ("refuse the handshake with status N and a body"):
// a complete HTTP response; its head is recorded as the connection's response.
import type { RecordedResponse } from '../capture/capture-model.js';

/** The response bytes; fills response.rawHeaders with the headers sent. */
export function refusalBytes(status: number, body: string, response: RecordedResponse): Buffer {
  const payload = Buffer.from(body, 'utf8');
  response.rawHeaders = ['Content-Type', 'text/plain; charset=utf-8', 'Content-Length', String(payload.length), 'Connection', 'close'];
  let head = `HTTP/1.1 ${status} ${response.statusMessage}\r\n`;
  for (let i = 0; i < response.rawHeaders.length; i += 2) head += `${response.rawHeaders[i]}: ${response.rawHeaders[i + 1]}\r\n`;
  return Buffer.concat([Buffer.from(`${head}\r\n`, 'latin1'), payload]);
}
