// The mock's answer to a handshake: the recorded 101, with what this client offers.
import { describe, expect, it } from 'vitest';
import { answerHandshake } from '../../src/mock/mock-handshake.js';

const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
const RECORDED = {
  statusMessage: 'Switching Protocols',
  httpVersion: '1.1',
  rawHeaders: ['Upgrade', 'websocket', 'Connection', 'Upgrade', 'Sec-WebSocket-Accept', 'old', 'Sec-WebSocket-Protocol', 'chat.v1',
    'Sec-WebSocket-Extensions', 'permessage-deflate; client_max_window_bits=12; server_no_context_takeover; server_max_window_bits=11', 'X-Server', 'recorded'],
};
const request = (...extra: string[]) => ({ method: 'GET', rawHeaders: ['Host', 'x', 'Upgrade', 'websocket', 'Connection', 'Upgrade', 'Sec-WebSocket-Key', KEY, 'Sec-WebSocket-Version', '13', ...extra] });

describe('the mock\'s handshake answer', () => {
  it('gives the recorded subprotocol and permessage-deflate parameters to a client that offers them', () => {
    const answer = answerHandshake(request('Sec-WebSocket-Protocol', 'other, chat.v1', 'Sec-WebSocket-Extensions', 'permessage-deflate; client_max_window_bits'), RECORDED);
    expect(answer.ok && answer.head.toString('latin1')).toBe('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
      'Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSec-WebSocket-Protocol: chat.v1\r\n' +
      'Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits=12; server_no_context_takeover; server_max_window_bits=11\r\nX-Server: recorded\r\n\r\n');
    expect(answer.ok && [answer.protocol, answer.deflate]).toEqual(['chat.v1', { serverNoContextTakeover: true, clientNoContextTakeover: false, serverMaxWindowBits: 11, clientMaxWindowBits: 12 }]);
  });

  it('leaves out client_max_window_bits when the client did not offer it (RFC 7692 §7.1.2.2)', () => {
    const answer = answerHandshake(request('Sec-WebSocket-Extensions', 'permessage-deflate'), RECORDED);
    expect(answer.ok && answer.head.toString('latin1')).toContain('\r\nSec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; server_max_window_bits=11\r\n');
    expect(answer.ok && answer.deflate?.clientMaxWindowBits).toBe(15);
  });

  it('fits the recorded parameters to what the client offers: smaller windows, and what it asks of the server (RFC 7692 §7.1)', () => {
    const recorded = { ...RECORDED, rawHeaders: ['Sec-WebSocket-Extensions', 'permessage-deflate; client_max_window_bits=12; server_max_window_bits=11'] };
    const answer = answerHandshake(request('Sec-WebSocket-Extensions', 'permessage-deflate; server_max_window_bits=10; client_max_window_bits=9; server_no_context_takeover, permessage-deflate'), recorded);
    expect(answer.ok && answer.head.toString('latin1')).toContain('\r\nSec-WebSocket-Extensions: permessage-deflate; client_max_window_bits=9; server_max_window_bits=10; server_no_context_takeover\r\n');
    expect(answer.ok && answer.deflate).toEqual({ serverNoContextTakeover: true, clientNoContextTakeover: false, serverMaxWindowBits: 10, clientMaxWindowBits: 9 });
    const asked = answerHandshake(request('Sec-WebSocket-Extensions', 'permessage-deflate; server_max_window_bits=13'), { ...RECORDED, rawHeaders: ['Sec-WebSocket-Extensions', 'permessage-deflate'] });
    expect(asked.ok && asked.deflate?.serverMaxWindowBits).toBe(13);
  });

  it('answers without a subprotocol or compression the client did not offer', () => {
    const answer = answerHandshake(request('Sec-WebSocket-Protocol', 'other'), RECORDED);
    expect(answer.ok && answer.head.toString('latin1')).toBe('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
      'Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nX-Server: recorded\r\n\r\n');
    expect(answer.ok && answer.deflate).toBe(null);
  });

  it('refuses what is not a WebSocket handshake', () => {
    expect(answerHandshake({ method: 'GET', rawHeaders: ['Host', 'x'] }, RECORDED)).toEqual({ ok: false, status: 426, reason: 'this is a Framescope mock: it answers WebSocket handshakes only' });
    expect(answerHandshake({ method: 'GET', rawHeaders: ['Upgrade', 'websocket', 'Sec-WebSocket-Key', 'short'] }, RECORDED)).toEqual({ ok: false, status: 400, reason: 'the handshake needs one valid Sec-WebSocket-Key (RFC 6455 §4.1)' });
  });
});
