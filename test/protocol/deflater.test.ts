import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import type { PerMessageDeflateOptions } from 'ws';
import { Deflater } from '../../src/protocol/deflater.js';
import { encodeFrameBytes } from '../../src/protocol/frame-encoder.js';
import { Opcode } from '../../src/protocol/frame.js';
import { deflateForSender, negotiatedDeflate } from '../../src/protocol/permessage-deflate.js';
import type { DeflateParams } from '../../src/protocol/permessage-deflate.js';

describe('Deflater', () => {
  it('compresses "Hello" to the RFC 7692 §7.2.3.1 bytes f2 48 cd c9 c9 07 00, tail removed', () => {
    expect(new Deflater({ windowBits: 15, noContextTakeover: true }).compress(Buffer.from('Hello')).toString('hex')).toBe('f248cdc9c90700');
  });

  it('compresses a second "Hello" to f2 00 11 00 00 with context takeover (RFC 7692 §7.2.3.2)', () => {
    const deflater = new Deflater({ windowBits: 15, noContextTakeover: false });
    deflater.compress(Buffer.from('Hello'));
    expect(deflater.compress(Buffer.from('Hello')).toString('hex')).toBe('f200110000');
  });

  it('compresses every "Hello" alike without context takeover', () => {
    const deflater = new Deflater({ windowBits: 15, noContextTakeover: true });
    deflater.compress(Buffer.from('Hello'));
    expect(deflater.compress(Buffer.from('Hello')).toString('hex')).toBe('f248cdc9c90700');
  });

  it('compresses the empty message to a single 00 (RFC 7692 §7.2.3.6)', () => {
    expect(new Deflater({ windowBits: 15, noContextTakeover: false }).compress(Buffer.alloc(0)).toString('hex')).toBe('00');
  });

  it('keeps the 00 00 ff ff of a fragment that is not the last', () => {
    const deflater = new Deflater({ windowBits: 15, noContextTakeover: false });
    expect(deflater.compress(Buffer.from('Hel'), false).subarray(-4).toString('hex')).toBe('0000ffff');
    expect(deflater.compress(Buffer.from('lo'), true).subarray(-4).toString('hex')).not.toBe('0000ffff');
  });
});

/** Text with repeats far beyond a 9-bit window, so a wrong window or history breaks inflation. */
function longText(seed: number): string {
  let text = '';
  for (let i = 0; text.length < 20_000; i++) text += `message ${seed} line ${(i * 31) % 211} of the deflater test; `;
  return text;
}

/**
 * A real ws server receives what `build` makes once the handshake negotiated the offered permessage-deflate:
 * the raw bytes go over a plain TCP socket, so ws's own receiver inflates them.
 */
async function wsServerReceives(
  serverDeflate: PerMessageDeflateOptions,
  offer: string,
  build: (params: DeflateParams) => Buffer[],
  count: number,
): Promise<string[]> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: serverDeflate });
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const received: string[] = [];
  const allReceived = new Promise<void>((resolve, reject) => {
    server.on('connection', (ws) => {
      ws.on('message', (data) => {
        received.push(String(data));
        if (received.length === count) resolve();
      });
      ws.on('close', (code, reason) => reject(new Error(`ws closed the connection: ${code} ${String(reason)}`)));
    });
  });
  const socket = net.connect((server.address() as AddressInfo).port, '127.0.0.1');
  try {
    socket.write([
      'GET / HTTP/1.1', 'Host: 127.0.0.1', 'Upgrade: websocket', 'Connection: Upgrade',
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Version: 13', `Sec-WebSocket-Extensions: ${offer}`, '', '',
    ].join('\r\n'));
    const head = await new Promise<string>((resolve) => {
      let text = '';
      socket.on('data', (d) => {
        text += d.toString('latin1');
        if (text.includes('\r\n\r\n')) resolve(text);
      });
    });
    const extensions = /^sec-websocket-extensions:\s*(.*)$/im.exec(head)?.[1]?.trim();
    const params = negotiatedDeflate(extensions).params;
    if (!params) throw new Error(`permessage-deflate was not negotiated: ${head}`);
    socket.write(Buffer.concat(build(params)));
    await allReceived;
  } finally {
    socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  return received;
}

const MASK = Buffer.from([0x12, 0x34, 0x56, 0x78]);

/** Compressed client frames: each message whole, and the last one in three fragments. */
function clientFrames(params: DeflateParams, messages: string[]): Buffer[] {
  const deflater = new Deflater(deflateForSender(params, 'client'));
  const frames = messages.slice(0, -1).map((m) => encodeFrameBytes({ opcode: Opcode.Text, rsv1: true, mask: MASK, payload: deflater.compress(Buffer.from(m)) }));
  const last = Buffer.from(messages.at(-1)!);
  const thirds = [last.subarray(0, 5000), last.subarray(5000, 12000), last.subarray(12000)];
  thirds.forEach((part, i) => {
    frames.push(encodeFrameBytes({
      opcode: i === 0 ? Opcode.Text : Opcode.Continuation,
      rsv1: i === 0,
      fin: i === 2,
      mask: MASK,
      payload: deflater.compress(part, i === 2),
    }));
  });
  return frames;
}

describe('what the Deflater compresses is inflated by ws', () => {
  const messages = [longText(1), longText(1), 'Hello', 'Hello', longText(2), longText(3)];
  const cases: { name: string; deflate: PerMessageDeflateOptions; offer: string }[] = [
    { name: 'with context takeover', deflate: {}, offer: 'permessage-deflate' },
    { name: 'without context takeover', deflate: { clientNoContextTakeover: true }, offer: 'permessage-deflate; client_max_window_bits' },
    { name: 'with 9 window bits', deflate: { clientMaxWindowBits: 9 }, offer: 'permessage-deflate; client_max_window_bits' },
    { name: 'with 8 window bits', deflate: { clientMaxWindowBits: 8 }, offer: 'permessage-deflate; client_max_window_bits' },
  ];
  for (const { name, deflate, offer } of cases) {
    it(name, async () => {
      const received = await wsServerReceives(deflate, offer, (params) => clientFrames(params, messages), messages.length);
      expect(received).toEqual(messages);
    });
  }
});
