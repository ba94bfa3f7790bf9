// Filters by protocol fields, e.g. `socket.io.event:message`, `mqtt.topic:sensors/#`,
// `graphql.operation:OnChat`, `proto.type:EVENT`. A filter is terms separated by spaces, all of which
// must hold for one packet of a message; a term is `PROTOCOL.FIELD:VALUE`, or a bare `PROTOCOL` (any
// packet of it). PROTOCOL is a lens name, `graphql` (both GraphQL protocols), `jsonrpc`, or `proto`
// (any). FIELD is type, event, channel, id, summary or data, a protocol's own word for one of them
// (topic, destination, namespace, operation, method, target, ref), or a key of the packet's fields
// (`mqtt.qos:1`). VALUE matches exactly, `*` matching any run of characters; an MQTT topic filter
// matches as MQTT does (`+` one level, `#` the rest); `data` matches when its JSON contains VALUE.
// The field names are a public contract, like Wireshark's.
import type { LensName, ProtocolPacket } from './lens.js';
import { LENS_NAMES } from './lens-names.js';

export interface ProtocolTerm {
  /** The lens names the term is about; empty for any (`proto`). */
  protocols: LensName[];
  /** The field, as written after aliases are resolved; undefined for a bare protocol. */
  field?: string;
  value?: string;
}

export type ProtocolFilterParse = { ok: true; terms: ProtocolTerm[] } | { ok: false; error: string };

const PROTOCOL_ALIASES: Record<string, LensName[]> = {
  proto: [],
  graphql: ['graphql-transport-ws', 'subscriptions-transport-ws'],
  jsonrpc: ['json-rpc'],
  socketio: ['socket.io'],
  engineio: ['engine.io'],
};

const FIELD_ALIASES: Record<string, string> = {
  topic: 'channel', destination: 'channel', namespace: 'channel', nsp: 'channel',
  operation: 'event', method: 'event', target: 'event', procedure: 'event', action: 'event',
  ref: 'id', ack: 'id',
};

const BASE_FIELDS = new Set(['type', 'event', 'channel', 'id', 'summary', 'data', 'name']);

/** Whether a filter names protocol fields (so a UI can tell it from a text search). */
export function isProtocolFilter(expr: string): boolean {
  const first = expr.trim().split(/\s+/)[0] ?? '';
  const parsed = parseProtocolFilter(first);
  return first !== '' && parsed.ok;
}

function splitTerms(expr: string): string[] {
  const terms: string[] = [];
  const re = /(?:[^\s"]+|"[^"]*")+/g;
  for (const match of expr.matchAll(re)) terms.push(match[0]);
  return terms;
}

function protocolsOf(head: string): LensName[] | undefined {
  if (head in PROTOCOL_ALIASES) return PROTOCOL_ALIASES[head];
  return (LENS_NAMES as readonly string[]).includes(head) ? [head as LensName] : undefined;
}

export function parseProtocolFilter(expr: string): ProtocolFilterParse {
  const terms: ProtocolTerm[] = [];
  for (const raw of splitTerms(expr)) {
    const colon = raw.indexOf(':');
    const left = colon < 0 ? raw : raw.slice(0, colon);
    let value = colon < 0 ? undefined : raw.slice(colon + 1);
    if (value !== undefined && value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    // The protocol is the longest prefix that names one (`socket.io.event` is socket.io's event).
    let protocols: LensName[] | undefined;
    let field: string | undefined;
    if (colon < 0) protocols = protocolsOf(left);
    else {
      for (let dot = left.lastIndexOf('.'); dot > 0; dot = left.lastIndexOf('.', dot - 1)) {
        protocols = protocolsOf(left.slice(0, dot));
        if (protocols) {
          field = left.slice(dot + 1);
          break;
        }
      }
    }
    if (!protocols && colon >= 0 && protocolsOf(left)) return { ok: false, error: `"${raw}" names no field (e.g. ${left}.type:VALUE)` };
    if (!protocols) return { ok: false, error: `"${raw}" does not name a protocol (${[...LENS_NAMES, 'graphql', 'proto'].join(', ')})` };
    if (field !== undefined) field = FIELD_ALIASES[field] ?? field;
    terms.push({ protocols, ...(field !== undefined ? { field } : {}), ...(value !== undefined ? { value } : {}) });
  }
  return terms.length ? { ok: true, terms } : { ok: false, error: 'an empty protocol filter' };
}

function globMatches(pattern: string, text: string): boolean {
  if (!pattern.includes('*')) return pattern === text;
  const re = new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 's');
  return re.test(text);
}

/** MQTT 3.1.1 §4.7: `+` matches one level, `#` (last) this level and every one below. */
export function mqttTopicMatches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return i === f.length - 1 && !(i === 0 && topic.startsWith('$'));
    if (i >= t.length) return false;
    if (f[i] === '+') {
      if (i === 0 && topic.startsWith('$')) return false;
      continue;
    }
    if (f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}

function fieldValue(packet: ProtocolPacket, field: string): unknown {
  if (BASE_FIELDS.has(field)) return (packet as unknown as Record<string, unknown>)[field];
  return packet.fields?.[field];
}

function termMatches(term: ProtocolTerm, packet: ProtocolPacket): boolean {
  if (term.protocols.length > 0 && !term.protocols.includes(packet.name)) return false;
  if (term.field === undefined) return true;
  const actual = fieldValue(packet, term.field);
  if (actual === undefined) return false;
  if (term.value === undefined) return true;
  if (term.field === 'data') return JSON.stringify(actual)?.includes(term.value) ?? false;
  const text = typeof actual === 'string' ? actual : typeof actual === 'number' || typeof actual === 'boolean' ? String(actual) : JSON.stringify(actual);
  if (term.field === 'channel' && packet.name === 'mqtt' && /[+#]/.test(term.value)) return mqttTopicMatches(term.value, text);
  return globMatches(term.value, text);
}

/** Whether one packet passes every term of a parsed filter. */
export function packetMatches(terms: readonly ProtocolTerm[], packet: ProtocolPacket): boolean {
  return terms.every((term) => termMatches(term, packet));
}

/**
 * Whether any of a message's packets passes the filter expression: the one matcher the UI's filter,
 * search and breakpoint rules share. An expression that does not parse matches nothing.
 */
export function matchProtocolField(packets: readonly ProtocolPacket[], expr: string | ProtocolTerm[]): boolean {
  let terms: ProtocolTerm[];
  if (typeof expr === 'string') {
    const parsed = parseProtocolFilter(expr);
    if (!parsed.ok) return false;
    terms = parsed.terms;
  } else terms = expr;
  return packets.some((packet) => packetMatches(terms, packet));
}
