// GraphQL over WebSocket, both protocols:
// - graphql-transport-ws, the graphql-ws library's (https://github.com/enisdenjo/graphql-ws/blob/master/PROTOCOL.md):
//   connection_init/ack, ping/pong, subscribe, next, error, complete.
// - subscriptions-transport-ws, the older one Apollo used, whose subprotocol is confusingly `graphql-ws`:
//   connection_init/ack/error, ka, start, data, error, complete, stop, connection_terminate.
// Each operation's answers are linked to its subscribe (start) and carry its operation name.
import type { Lens, LensConnection, LensDecoder, LensMessage, LensName, LensResult, PacketLink, ProtocolPacket } from './lens.js';
import { speaksSubprotocol } from './lens-connection.js';
import { headText, isPlainObject, jsonMessage, shortValue, startsWithJson } from './lens-bytes.js';
import { operationNameOf } from './graphql-operation.js';

interface Dialect {
  name: LensName;
  subprotocol: string;
  /** Message types that start an operation. */
  start: string;
  /** Types that answer an operation, and whether each closes it. */
  answers: Record<string, boolean>;
  /** Types the client sends to stop an operation (closing it). */
  stop: string[];
  /** Types that answer connection_init. */
  initAnswers: string[];
  /** Types only this dialect has, for detection from messages. */
  own: string[];
}

const transportWs: Dialect = {
  name: 'graphql-transport-ws', subprotocol: 'graphql-transport-ws', start: 'subscribe',
  answers: { next: false, error: true, complete: true }, stop: ['complete'], initAnswers: ['connection_ack'],
  own: ['subscribe', 'next', 'ping', 'pong'],
};

const subscriptionsTransportWs: Dialect = {
  name: 'subscriptions-transport-ws', subprotocol: 'graphql-ws', start: 'start',
  answers: { data: false, error: true, complete: true }, stop: ['stop'], initAnswers: ['connection_ack', 'connection_error'],
  own: ['start', 'data', 'stop', 'ka', 'connection_terminate'],
};

class GraphQlDecoder implements LensDecoder {
  /** Operation names by operation id, for the answers. */
  private readonly operations = new Map<string, string | undefined>();

  constructor(private readonly dialect: Dialect) {}

  decode(message: LensMessage): LensResult {
    const json = jsonMessage(message, this.dialect.name);
    if (!json.ok) return { packets: [], problems: [json.problem] };
    const value = json.value;
    if (!isPlainObject(value) || typeof value['type'] !== 'string') return { packets: [], problems: [`a ${this.dialect.name} message is an object with a string "type"`] };
    return { packets: [this.packetOf(value, value['type'], message.direction)] };
  }

  private packetOf(value: Record<string, unknown>, type: string, direction: LensMessage['direction']): ProtocolPacket {
    const d = this.dialect;
    const rawId = value['id'];
    const id = typeof rawId === 'string' || typeof rawId === 'number' ? String(rawId) : undefined;
    const packet: ProtocolPacket = { name: d.name, type, summary: type };
    if (id !== undefined) packet.id = id;
    if ('payload' in value && value['payload'] !== undefined) packet.data = value['payload'];
    let link: PacketLink | undefined;
    if (type === d.start && id !== undefined) {
      const operation = operationNameOf(value['payload']);
      this.operations.set(id, operation);
      if (operation) packet.event = operation;
      link = { role: 'request', key: `op:${id}` };
    } else if (id !== undefined && (type in d.answers || d.stop.includes(type))) {
      const operation = this.operations.get(id);
      if (operation) packet.event = operation;
      const final = d.stop.includes(type) || d.answers[type] === true;
      link = { role: 'answer', key: `op:${id}`, ...(final ? { final: true } : {}) };
      if (final) this.operations.delete(id);
    } else if (type === 'connection_init') {
      link = { role: 'request', key: 'init' };
    } else if (d.initAnswers.includes(type)) {
      link = { role: 'answer', key: 'init', final: true };
    } else if (type === 'ping' || type === 'pong') {
      // Either side may ping; the pong comes from the other.
      const pinger = type === 'ping' ? direction : direction === 'send' ? 'receive' : 'send';
      link = type === 'ping' ? { role: 'request', key: `ping:${pinger}` } : { role: 'answer', key: `ping:${pinger}`, final: true };
    }
    if (link) packet.link = link;
    packet.summary = [type, id, packet.event, type === 'error' && packet.data !== undefined ? shortValue(errorText(packet.data)) : undefined].filter((s) => s !== undefined).join(' ');
    return packet;
  }
}

function errorText(payload: unknown): unknown {
  const first = Array.isArray(payload) ? payload[0] : payload;
  return isPlainObject(first) && typeof first['message'] === 'string' ? first['message'] : payload;
}

/** The message types among a connection's first messages. */
function typesOf(first: readonly LensMessage[]): string[] {
  const types: string[] = [];
  for (const m of first) {
    if (!startsWithJson(m, '{')) continue;
    const match = /"type"\s*:\s*"([a-z_]+)"/.exec(headText(m.data));
    if (match) types.push(match[1]!);
  }
  return types;
}

function graphQlLens(dialect: Dialect, rival: Dialect): Lens {
  return {
    name: dialect.name,
    detect(connection: LensConnection, first: readonly LensMessage[]): number {
      const speaks = speaksSubprotocol(connection, dialect.subprotocol);
      if (speaks === 'chosen') return 1;
      if (speaks === 'offered' && !connection.subprotocol) return 0.8;
      const types = typesOf(first);
      if (types.some((t) => dialect.own.includes(t) && !rival.own.includes(t))) return 0.8;
      return types[0] === 'connection_init' ? 0.55 : 0;
    },
    decoder(): LensDecoder {
      return new GraphQlDecoder(dialect);
    },
  };
}

export const graphqlTransportWsLens = graphQlLens(transportWs, subscriptionsTransportWs);
export const subscriptionsTransportWsLens = graphQlLens(subscriptionsTransportWs, transportWs);
