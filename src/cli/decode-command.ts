// `framescope decode`: WebSocket frame bytes in (hex or base64), one JSON line per frame out, with the
// HAR frame fields, the payload, and the message each data message's last frame completes.
import { isUtf8 } from 'node:buffer';
import { parseArgs } from 'node:util';
import { frameToJson } from '../protocol/frame-json.js';
import type { HarFrameFields } from '../protocol/frame-json.js';
import type { Message, Sender } from '../protocol/frame.js';
import { negotiatedDeflate } from '../protocol/permessage-deflate.js';
import type { DeflateParams } from '../protocol/permessage-deflate.js';
import { StreamDecoder } from '../protocol/stream-decoder.js';
import { lensConnectionOf } from '../protocol/lenses/lens-connection.js';
import { DETECTION_MESSAGES, defaultLensRegistry, isLensChoice } from '../protocol/lenses/registry.js';
import { harProtocolField, type HarProtocolPacket } from '../capture/har-protocol.js';

const USAGE = `usage: framescope decode [--from client|server] [--deflate "permessage-deflate; <params>"] [--base64] [BYTES | -]
       framescope decode --lens auto|NAME [--url TARGET] [--subprotocol NAME] [options above] [BYTES | -]

Decodes the bytes of one direction of a WebSocket connection (RFC 6455 frames, after the handshake)
and prints one JSON object per frame, one per line.

BYTES is hex, with or without spaces or colons ("81 85 37 fa 21 3d ...", "81:85:37:fa", "818537fa..."),
or base64 with --base64. Several arguments are joined. Without BYTES, or with "-", the bytes are read
from standard input.

options:
  --from client|server   who sent the bytes (default: client); decides which masking is a violation
  --deflate HEADER       the Sec-WebSocket-Extensions response that negotiated permessage-deflate, e.g.
                         "permessage-deflate; client_no_context_takeover"; compressed messages are inflated
  --base64               the input is base64 (standard or URL-safe), not hex
  --lens auto|NAME       read the messages through a protocol lens and print "protocol" beside
                         "message": auto detects it from --url, --subprotocol and the first messages;
                         NAME is one of:
                         ${defaultLensRegistry().list().map((l) => l.name).join(', ')}
  --url TARGET           the handshake's request target, for --lens auto (e.g. "/socket.io/?EIO=4")
  --subprotocol NAME     the subprotocol the server chose, for --lens auto (e.g. "graphql-transport-ws")
  -h, --help             print this help

fields of each line, in this order (optional ones only when they apply):
  fin, rsv1, rsv2, rsv3  the header bits
  opcode                 the 4-bit opcode (1 text, 2 binary, 0 continuation, 8 close, 9 ping, 10 pong)
  masked                 the MASK bit
  maskKey                the masking key, 8 lowercase hex digits (masked frames)
  payloadLength          the length field's value (a decimal string past 2^53 - 1, exact to 2^64 - 1)
  closeCode, closeReason the status code and reason (close frames that carry a code)
  violations             protocol violation codes found in this frame (when there are any)
  payload                the frame's payload in base64: unmasked, but still compressed if it was
  message                on the frame that completes a text or binary message:
                         {opcode, data, encoding?, truncated?, unfinished?}; data is the reassembled and
                         decompressed message, as text, or as base64 with "encoding": "base64" (binary
                         messages and text that is not valid UTF-8); "unfinished": true on the last frame
                         of a message that never got its final frame; "truncated": true when only the
                         first 16 MiB were kept
  protocol               with --lens, beside message: the packet the message holds, as HAR's _protocol
                         ({name, type, summary, event?, channel?, id?, data?}), an array for several;
                         absent while a packet continues in a later message
  protocolProblems       with --lens: what the lens could not read in the message

exit status: 0 when the bytes were decoded (violations included), 2 for bad options or input.
`;

/** The message part of an output line. */
interface MessageJson {
  opcode: number;
  data: string;
  encoding?: 'base64';
  truncated?: true;
  unfinished?: true;
}

type FrameLine = HarFrameFields & { payload: string; message?: MessageJson; protocol?: HarProtocolPacket | HarProtocolPacket[]; protocolProblems?: string[] };

interface LensOptions { lens: string; url: string; subprotocol?: string }

/** Bad input or options: reported on stderr with exit code 2. */
class UsageError extends Error {}

export async function run(args: string[]): Promise<number> {
  try {
    return await decode(args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`framescope decode: ${error.message}\n`);
    return 2;
  }
}

async function decode(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: {
        from: { type: 'string', default: 'client' },
        deflate: { type: 'string' },
        base64: { type: 'boolean', default: false },
        lens: { type: 'string' },
        url: { type: 'string', default: '/' },
        subprotocol: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      allowPositionals: true,
    });
  } catch (error) {
    throw new UsageError(`${error instanceof Error ? error.message : String(error)}\nRun "framescope decode --help" for the options.`);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const from = values.from;
  if (from !== 'client' && from !== 'server') throw new UsageError(`--from must be "client" or "server", not "${from}"`);
  const deflate = values.deflate === undefined ? null : deflateOption(values.deflate);
  if (values.lens !== undefined && (!isLensChoice(values.lens) || values.lens === 'none' || (values.lens !== 'auto' && !defaultLensRegistry().get(values.lens)))) {
    throw new UsageError(`--lens must be "auto" or one of ${defaultLensRegistry().list().map((l) => l.name).join(', ')}, not "${values.lens}"`);
  }
  const lens: LensOptions | null = values.lens === undefined ? null : { lens: values.lens, url: values.url, ...(values.subprotocol ? { subprotocol: values.subprotocol } : {}) };

  const fromStdin = positionals.length === 0 || (positionals.length === 1 && positionals[0] === '-');
  if (!fromStdin && positionals.includes('-')) throw new UsageError('"-" (read standard input) cannot be combined with bytes');
  const text = fromStdin ? await readStdin() : positionals.join(' ');
  const bytes = values.base64 ? parseBase64(text) : parseHex(text);

  process.stdout.write(decodeToLines(bytes, from, deflate, lens).map((line) => `${JSON.stringify(line)}\n`).join(''));
  return 0;
}

/** Decodes the whole input; messages go on the line of their last frame. */
function decodeToLines(bytes: Buffer, from: Sender, deflate: DeflateParams | null, lens: LensOptions | null = null): FrameLine[] {
  const lines: FrameLine[] = [];
  const messages: { line: FrameLine; message: Message }[] = [];
  const decoder = new StreamDecoder(
    // The whole input is in memory already: keep every payload byte.
    { from, deflate, maxStoredPayload: bytes.length },
    {
      onFrame(frame) {
        lines[frame.index] = { ...frameToJson(frame), payload: frame.payload.toString('base64') };
      },
      onMessage(message) {
        const line = lines[message.frameIndexes[message.frameIndexes.length - 1]!];
        if (line) {
          line.message = messageJson(message);
          messages.push({ line, message });
        }
      },
    },
  );
  decoder.push(bytes);
  decoder.end();
  if (lens) addProtocol(messages, from, lens);
  return lines;
}

/** Reads the messages through the lens chosen (or detected) and puts each one's packets beside it. */
function addProtocol(messages: { line: FrameLine; message: Message }[], from: Sender, options: LensOptions): void {
  const direction = from === 'client' ? 'send' : 'receive';
  const connection = lensConnectionOf(options.url, options.subprotocol ? ['Sec-WebSocket-Protocol', options.subprotocol] : [], options.subprotocol);
  const lensMessages = messages.map(({ message }) => ({ direction, opcode: message.opcode, data: message.data } as const));
  const registry = defaultLensRegistry();
  const lens = options.lens === 'auto' ? registry.detect(connection, lensMessages.slice(0, DETECTION_MESSAGES))?.lens : registry.get(options.lens as never);
  if (!lens) {
    process.stderr.write('framescope decode: no lens recognised these messages (name one with --lens NAME, or give --url or --subprotocol)\n');
    return;
  }
  const decoder = lens.decoder(connection);
  lensMessages.forEach((m, i) => {
    const { line } = messages[i]!;
    const result = decoder.decode(m);
    const field = harProtocolField(result.packets);
    if (field !== undefined) line.protocol = field;
    if (result.problems?.length) line.protocolProblems = result.problems;
  });
}

function messageJson(message: Message): MessageJson {
  const asText = message.opcode === 1 && isUtf8(message.data);
  const json: MessageJson = asText
    ? { opcode: message.opcode, data: message.data.toString('utf8') }
    : { opcode: message.opcode, data: message.data.toString('base64'), encoding: 'base64' };
  if (message.truncated) json.truncated = true;
  if (message.violations.includes('unfinished-message')) json.unfinished = true;
  return json;
}

function deflateOption(header: string): DeflateParams {
  const { params, problems } = negotiatedDeflate(header);
  if (problems.length > 0) throw new UsageError(`--deflate "${header}": ${problems.join('; ')}`);
  if (!params) throw new UsageError(`--deflate "${header}" does not name permessage-deflate`);
  return params;
}

/** Hex digits, optionally separated by whitespace or colons. Positions in errors count from 1. */
export function parseHex(text: string): Buffer {
  const digits: string[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (/[0-9a-fA-F]/.test(c)) digits.push(c);
    else if (!/[\s:]/.test(c)) throw new UsageError(`invalid hex input: "${printable(c)}" at character ${i + 1} is not a hex digit`);
  }
  if (digits.length % 2 !== 0) {
    throw new UsageError(`invalid hex input: ${digits.length} hex digits is an odd number; the last byte is missing a digit`);
  }
  return Buffer.from(digits.join(''), 'hex');
}

/** Base64, standard or URL-safe, padding optional, whitespace ignored. Positions in errors count from 1. */
export function parseBase64(text: string): Buffer {
  let clean = '';
  let padding = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (/\s/.test(c)) continue;
    if (c === '=') {
      padding++;
      if (padding > 2) throw new UsageError(`invalid base64 input: too much "=" padding at character ${i + 1}`);
      continue;
    }
    if (!/[A-Za-z0-9+/_-]/.test(c)) throw new UsageError(`invalid base64 input: "${printable(c)}" at character ${i + 1} is not a base64 character`);
    if (padding > 0) throw new UsageError(`invalid base64 input: "${c}" at character ${i + 1} comes after "=" padding`);
    clean += c;
  }
  if (clean.length % 4 === 1) {
    throw new UsageError(`invalid base64 input: ${clean.length} characters leave 6 bits over; the input is cut short or has an extra character`);
  }
  if (padding > 0 && (clean.length + padding) % 4 !== 0) {
    throw new UsageError(`invalid base64 input: ${padding} "=" after ${clean.length} characters is the wrong padding`);
  }
  return Buffer.from(clean.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
}

function printable(c: string): string {
  return /[\x20-\x7e]/.test(c) ? c : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
