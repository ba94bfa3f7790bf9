// Protocol fields for rules (`"protocol": "socket.io.event:chat"`): the message is read by the lens
// that detection picks for its connection (the handshake, then the messages the rules have seen), and
// its packets are tested with the same matcher the UI's filters use (matchProtocolField). The lens
// state lives per connection, beside the connection's record, and only once a rule asks for it.
import { lensConnectionOf } from '../protocol/lenses/lens-connection.js';
import { DETECTION_MESSAGES, defaultLensRegistry } from '../protocol/lenses/registry.js';
import { matchProtocolField, parseProtocolFilter, type ProtocolTerm } from '../protocol/lenses/protocol-filter.js';
import type { LensConnection, LensDecoder, LensMessage, ProtocolPacket } from '../protocol/lenses/lens.js';

/** The connection as rules see it; request and protocol let a lens be detected. */
export interface LensSource {
  url: string;
  /** The negotiated subprotocol. */
  protocol?: string;
  /** The upgrade request as recorded. */
  request?: { target: string; rawHeaders: string[] };
}

interface LensState {
  connection: LensConnection;
  /** The first messages, until a lens is found. */
  seen: LensMessage[];
  decoder?: LensDecoder;
}

const states = new WeakMap<object, LensState>();

/** Parses a filter; throws with what is wrong. */
export function protocolTerms(filter: string): ProtocolTerm[] {
  const parsed = parseProtocolFilter(filter);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.terms;
}

/** The packets of a message (in the order the rules see a connection's messages); none until a lens is found. */
export function protocolPackets(connection: LensSource, message: LensMessage): ProtocolPacket[] {
  let state = states.get(connection);
  if (!state) {
    state = { connection: lensConnectionOf(connection.request?.target ?? connection.url, connection.request?.rawHeaders ?? [], connection.protocol), seen: [] };
    states.set(connection, state);
  }
  if (!state.decoder) {
    if (state.seen.length < DETECTION_MESSAGES) state.seen.push(message);
    const lens = defaultLensRegistry().detect(state.connection, state.seen)?.lens;
    if (!lens) return [];
    state.decoder = lens.decoder(state.connection);
    // The messages that led to the choice go through the decoder first, in order.
    const before = state.seen.slice(0, -1);
    state.seen = [];
    for (const m of before) safeDecode(state.decoder, m);
  }
  return safeDecode(state.decoder, message);
}

export function protocolMatches(connection: LensSource, message: LensMessage, terms: ProtocolTerm[]): boolean {
  return matchProtocolField(protocolPackets(connection, message), terms);
}

function safeDecode(decoder: LensDecoder, message: LensMessage): ProtocolPacket[] {
  try {
    return decoder.decode(message).packets;
  } catch {
    // A lens that breaks on input leaves the message unmatched; it never breaks the relay.
    return [];
  }
}
