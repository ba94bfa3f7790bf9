// WAMP v2 with the JSON serializer (subprotocol wamp.2.json; RFC draft "The Web Application Messaging
// Protocol", §6 message codes): each message is an array whose first element is its type code.
// Requests carry an id that its answer (or ERROR) repeats; the caller's and the router's ids are
// separate, so a link's key carries the direction of the request.
import type { Lens, LensConnection, LensDecoder, LensMessage, LensResult, PacketLink, ProtocolPacket } from './lens.js';
import { speaksSubprotocol } from './lens-connection.js';
import { jsonMessage, shortValue } from './lens-bytes.js';

type Direction = LensMessage['direction'];
const other = (direction: Direction): Direction => (direction === 'send' ? 'receive' : 'send');

/** Code → name, where the request id sits, and where the topic or procedure sits. */
interface Shape { name: string; request?: number; answer?: number; uri?: number; args?: number; final?: boolean }

const SHAPES: Record<number, Shape> = {
  1: { name: 'HELLO', uri: 1 },
  2: { name: 'WELCOME' },
  3: { name: 'ABORT', uri: 2 },
  4: { name: 'CHALLENGE' },
  5: { name: 'AUTHENTICATE' },
  6: { name: 'GOODBYE', uri: 2 },
  8: { name: 'ERROR', answer: 2, uri: 4, args: 5, final: true },
  16: { name: 'PUBLISH', request: 1, uri: 3, args: 4 },
  17: { name: 'PUBLISHED', answer: 1, final: true },
  32: { name: 'SUBSCRIBE', request: 1, uri: 3 },
  33: { name: 'SUBSCRIBED', answer: 1, final: true },
  34: { name: 'UNSUBSCRIBE', request: 1 },
  35: { name: 'UNSUBSCRIBED', answer: 1, final: true },
  36: { name: 'EVENT', args: 4 },
  48: { name: 'CALL', request: 1, uri: 3, args: 4 },
  49: { name: 'CANCEL', request: 1 },
  50: { name: 'RESULT', answer: 1, args: 3, final: true },
  64: { name: 'REGISTER', request: 1, uri: 3 },
  65: { name: 'REGISTERED', answer: 1, final: true },
  66: { name: 'UNREGISTER', request: 1 },
  67: { name: 'UNREGISTERED', answer: 1, final: true },
  68: { name: 'INVOCATION', request: 1, args: 4 },
  69: { name: 'INTERRUPT', request: 1 },
  70: { name: 'YIELD', answer: 1, args: 3, final: true },
};

function packetOf(value: unknown[], direction: Direction): ProtocolPacket | string {
  const code = value[0];
  const shape = typeof code === 'number' ? SHAPES[code] : undefined;
  if (!shape) return `a WAMP message starts with a known message code, not ${shortValue(code)}`;
  const packet: ProtocolPacket = { name: 'wamp', type: shape.name, summary: shape.name };
  const uri = shape.uri === undefined ? undefined : value[shape.uri];
  if (typeof uri === 'string') {
    // The URI is what the message is about: a topic is a channel, a procedure or an error an event.
    if (shape.name === 'PUBLISH' || shape.name === 'SUBSCRIBE' || shape.name === 'HELLO') packet.channel = uri;
    else packet.event = uri;
  }
  const idIndex = shape.request ?? shape.answer;
  const id = idIndex === undefined ? undefined : value[idIndex];
  if (typeof id === 'number') packet.id = id;
  if (shape.args !== undefined && value.length > shape.args) packet.data = value.length > shape.args + 1 ? { args: value[shape.args], kwargs: value[shape.args + 1] } : value[shape.args];
  else if (shape.name === 'EVENT' || shape.name === 'WELCOME' || shape.name === 'HELLO') packet.data = value.slice(1);
  let link: PacketLink | undefined;
  if (typeof id === 'number') {
    // A RESULT with {progress: true} is one of several answers.
    const progress = (shape.name === 'RESULT' && (value[2] as { progress?: unknown } | undefined)?.progress === true)
      || (shape.name === 'YIELD' && (value[2] as { progress?: unknown } | undefined)?.progress === true);
    if (shape.request !== undefined) link = { role: 'request', key: `wamp:${direction}:${id}` };
    else link = { role: 'answer', key: `wamp:${other(direction)}:${id}`, ...(shape.final && !progress ? { final: true } : {}) };
  } else if (shape.name === 'HELLO') link = { role: 'request', key: 'wamp:hello' };
  else if (shape.name === 'WELCOME' || (shape.name === 'ABORT' && direction === 'receive')) link = { role: 'answer', key: 'wamp:hello', final: true };
  if (link) packet.link = link;
  const about = packet.channel ?? packet.event;
  if (shape.name === 'ERROR') packet.summary = `ERROR ${SHAPES[value[1] as number]?.name ?? String(value[1])}${id !== undefined ? ` #${String(id)}` : ''}${about ? ` ${about}` : ''}`;
  else if (shape.name === 'EVENT') packet.summary = `EVENT sub ${String(value[1])} pub ${String(value[2])}`;
  else packet.summary = [shape.name, about, typeof id === 'number' ? `#${id}` : undefined].filter((s) => s !== undefined).join(' ');
  return packet;
}

class WampDecoder implements LensDecoder {
  decode(message: LensMessage): LensResult {
    const json = jsonMessage(message, 'WAMP');
    if (!json.ok) return { packets: [], problems: [json.problem] };
    if (!Array.isArray(json.value)) return { packets: [], problems: ['a WAMP message is an array'] };
    const packet = packetOf(json.value, message.direction);
    return typeof packet === 'string' ? { packets: [], problems: [packet] } : { packets: [packet] };
  }
}

export const wampLens: Lens = {
  name: 'wamp',
  detect(connection: LensConnection, first: readonly LensMessage[]): number {
    const speaks = speaksSubprotocol(connection, 'wamp.2.json', 'wamp.2.json.batched');
    if (speaks === 'chosen') return 1;
    if (speaks === 'offered') return 0.8;
    // A session opens with HELLO: [1, "realm", {...}].
    const hello = first.find((m) => m.direction === 'send');
    return hello && hello.opcode === 1 && /^\s*\[\s*1\s*,\s*"/.test(new TextDecoder().decode(hello.data.subarray(0, 64))) ? 0.6 : 0;
  },
  decoder(): LensDecoder {
    return new WampDecoder();
  },
};
