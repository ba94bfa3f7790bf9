import { describe, expect, it } from 'vitest';
import type { PerMessageDeflateOptions } from 'ws';
import { parseExtensions } from '../../src/protocol/extension-header.js';
import type { Frame, Message } from '../../src/protocol/frame.js';
import { deflateForSender, negotiatedDeflate, parseDeflateParams } from '../../src/protocol/permessage-deflate.js';
import type { DeflateParams } from '../../src/protocol/permessage-deflate.js';
import { StreamDecoder } from '../../src/protocol/stream-decoder.js';
import { captureWsExchange } from './ws-capture.js';
import type { ScriptedMessage } from './ws-capture.js';

/** Parses one header element as the server's response. */
function parse(header: string, from: 'client' | 'server' = 'server') {
  const offer = parseExtensions(header).items[0]!;
  return parseDeflateParams(offer, from);
}

const DEFAULTS: DeflateParams = { serverNoContextTakeover: false, clientNoContextTakeover: false, serverMaxWindowBits: 15, clientMaxWindowBits: 15 };

describe('parseDeflateParams', () => {
  it('gives the defaults (context takeover, 15-bit windows) for a bare permessage-deflate', () => {
    expect(parse('permessage-deflate')).toEqual({ params: DEFAULTS, problems: [] });
  });

  it('reads all four parameters', () => {
    expect(parse('permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=9; client_max_window_bits=12')).toEqual({
      params: { serverNoContextTakeover: true, clientNoContextTakeover: true, serverMaxWindowBits: 9, clientMaxWindowBits: 12 },
      problems: [],
    });
  });

  it('accepts the window bounds 8 and 15, a quoted value, and parameter names in any case', () => {
    expect(parse('permessage-deflate; server_max_window_bits=8; Client_Max_Window_Bits="15"')).toEqual({
      params: { ...DEFAULTS, serverMaxWindowBits: 8, clientMaxWindowBits: 15 },
      problems: [],
    });
  });

  it('reports window bits out of range, with a leading zero or not a number, and keeps the default', () => {
    const { params, problems } = parse('permessage-deflate; server_max_window_bits=7; client_max_window_bits=16');
    expect(params).toEqual(DEFAULTS);
    expect(problems).toEqual([
      'parameter "server_max_window_bits" has the invalid value "7"; expected 8 to 15 (RFC 7692 §7.1.2)',
      'parameter "client_max_window_bits" has the invalid value "16"; expected 8 to 15 (RFC 7692 §7.1.2)',
    ]);
    expect(parse('permessage-deflate; server_max_window_bits=010').problems).toEqual([
      'parameter "server_max_window_bits" has the invalid value "010"; expected 8 to 15 (RFC 7692 §7.1.2)',
    ]);
    expect(parse('permessage-deflate; server_max_window_bits=ten').problems).toHaveLength(1);
  });

  it('reports a server_max_window_bits without a value', () => {
    expect(parse('permessage-deflate; server_max_window_bits').problems).toEqual([
      'parameter "server_max_window_bits" needs a value from 8 to 15 (RFC 7692 §7.1.2)',
    ]);
  });

  it('accepts a bare client_max_window_bits in a client offer but not in the server response', () => {
    expect(parse('permessage-deflate; client_max_window_bits', 'client')).toEqual({ params: DEFAULTS, problems: [] });
    expect(parse('permessage-deflate; client_max_window_bits', 'server').problems).toEqual([
      'parameter "client_max_window_bits" needs a value from 8 to 15 (RFC 7692 §7.1.2)',
    ]);
  });

  it('reports a value on a no_context_takeover parameter and ignores the parameter', () => {
    expect(parse('permessage-deflate; client_no_context_takeover=1')).toEqual({
      params: DEFAULTS,
      problems: ['parameter "client_no_context_takeover" must not have a value, got "1" (RFC 7692 §7.1.1)'],
    });
  });

  it('reports an unknown parameter and a duplicate', () => {
    expect(parse('permessage-deflate; x_bits=3; server_no_context_takeover; server_no_context_takeover')).toEqual({
      params: { ...DEFAULTS, serverNoContextTakeover: true },
      problems: ['unknown parameter "x_bits" (RFC 7692 §7.1)', 'duplicate parameter "server_no_context_takeover" (RFC 7692 §7.1)'],
    });
  });
});

describe('negotiatedDeflate', () => {
  it('is null when the response has no permessage-deflate', () => {
    expect(negotiatedDeflate(undefined)).toEqual({ params: null, problems: [] });
    expect(negotiatedDeflate('x-webkit-deflate-frame')).toEqual({ params: null, problems: [] });
  });

  it('finds permessage-deflate among other extensions, in any case', () => {
    expect(negotiatedDeflate('foo, PerMessage-Deflate; client_max_window_bits=10')).toEqual({
      params: { ...DEFAULTS, clientMaxWindowBits: 10 },
      problems: [],
    });
  });

  it('reports a response that accepts permessage-deflate twice and uses the first', () => {
    expect(negotiatedDeflate(['permessage-deflate; server_no_context_takeover', 'permessage-deflate'])).toEqual({
      params: { ...DEFAULTS, serverNoContextTakeover: true },
      problems: ['the response accepts permessage-deflate 2 times; only the first counts (RFC 7692 §5)'],
    });
  });
});

describe('deflateForSender', () => {
  const params: DeflateParams = { serverNoContextTakeover: true, clientNoContextTakeover: false, serverMaxWindowBits: 9, clientMaxWindowBits: 12 };

  it('gives client-to-server data the client_* parameters', () => {
    expect(deflateForSender(params, 'client')).toEqual({ windowBits: 12, noContextTakeover: false });
  });

  it('gives server-to-client data the server_* parameters', () => {
    expect(deflateForSender(params, 'server')).toEqual({ windowBits: 9, noContextTakeover: true });
  });
});

/** Decodes one direction's bytes; returns its frames and messages. */
function decode(bytes: Buffer, from: 'client' | 'server', deflate: DeflateParams | null) {
  const frames: Frame[] = [];
  const messages: Message[] = [];
  const decoder = new StreamDecoder({ from, deflate }, { onFrame: (f) => frames.push(f), onMessage: (m) => messages.push(m) });
  decoder.push(bytes);
  decoder.end();
  return { frames, messages };
}

function asDelivered(message: Message): string | Buffer {
  return message.opcode === 1 ? message.data.toString('utf8') : message.data;
}

/** Text that compresses well and repeats at distances far beyond a 9- or 10-bit window. */
function longText(): string {
  const words = ['frame', 'mask', 'opcode', 'payload', 'inflate', 'window', 'history', 'fragment'];
  let text = '';
  for (let i = 0; text.length < 70_000; i++) text += `${words[(i * 7) % words.length]}-${i % 977} `;
  return text;
}

const SCRIPT: ScriptedMessage[] = [
  'Hello, Hello, Hello!',
  'Hello, Hello, Hello!',
  'Grüße, 世界 😀',
  Buffer.from([0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 255]),
  { parts: ['fragmented ', 'message, ', 'fragmented message'] },
  longText(),
  longText(),
  '',
];

const EXPECTED = SCRIPT.map((m) => (typeof m === 'string' || Buffer.isBuffer(m) ? m : m.parts.join('')));

describe('messages compressed by ws on a real connection', () => {
  const cases: { name: string; deflate: PerMessageDeflateOptions; response: string }[] = [
    { name: 'with context takeover', deflate: { threshold: 0 }, response: 'permessage-deflate' },
    {
      name: 'without context takeover',
      deflate: { threshold: 0, serverNoContextTakeover: true, clientNoContextTakeover: true },
      response: 'permessage-deflate; server_no_context_takeover; client_no_context_takeover',
    },
    {
      name: 'with max window bits 9 (server) and 10 (client)',
      deflate: { threshold: 0, serverMaxWindowBits: 9, clientMaxWindowBits: 10 },
      response: 'permessage-deflate; client_max_window_bits=10; server_max_window_bits=9',
    },
  ];

  for (const { name, deflate, response } of cases) {
    it(`decode to the exact original messages both ways, ${name}`, async () => {
      const exchange = await captureWsExchange({
        serverDeflate: deflate,
        clientDeflate: { threshold: 0 },
        clientSends: SCRIPT,
        serverSends: SCRIPT,
      });
      expect(exchange.responseExtensions).toBe(response);
      expect(exchange.serverReceived).toEqual(EXPECTED);
      const params = negotiatedDeflate(exchange.responseExtensions).params;

      for (const [bytes, from] of [[exchange.clientToServer, 'client'], [exchange.serverToClient, 'server']] as const) {
        const { frames, messages } = decode(bytes, from, params);
        expect(messages.map(asDelivered)).toEqual(EXPECTED);
        expect(messages.every((m) => m.compressed && m.violations.length === 0)).toBe(true);
        expect(frames.flatMap((f) => f.violations)).toEqual([]);
        expect(frames.at(-1)).toMatchObject({ opcode: 8, closeCode: 1000 });
        // The second copy of a message is far smaller than the first only when the history is shared.
        const [first, second] = [frames[0]!.payloadLength, frames[1]!.payloadLength];
        if (deflateForSender(params!, from).noContextTakeover) expect(second).toBe(first);
        else expect(second).toBeLessThan(first / 2);
      }
    });
  }

  it('stay compressed, with RSV1 a violation, when decoded without permessage-deflate', async () => {
    const exchange = await captureWsExchange({
      serverDeflate: { threshold: 0 },
      clientDeflate: { threshold: 0 },
      clientSends: [Buffer.from('Hello, Hello, Hello!')],
      serverSends: [],
    });
    const { frames, messages } = decode(exchange.clientToServer, 'client', null);
    expect(frames[0]!.violations).toEqual(['rsv-without-extension']);
    expect(messages[0]!.compressed).toBe(false);
    expect(messages[0]!.data).toEqual(frames[0]!.payload);
    expect(messages[0]!.data.length).toBeLessThan('Hello, Hello, Hello!'.length);
  });
});
