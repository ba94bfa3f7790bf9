// Action Cable (Rails; subprotocol actioncable-v1-json): the client sends commands {command,
// identifier, data} (subscribe, unsubscribe, message), the server sends typed messages (welcome,
// ping, confirm_subscription, reject_subscription, disconnect) and channel broadcasts {identifier,
// message}. An identifier is itself JSON (`{"channel":"ChatChannel","room":"1"}`).
import type { Lens, LensConnection, LensDecoder, LensMessage, LensResult, ProtocolPacket } from './lens.js';
import { speaksSubprotocol } from './lens-connection.js';
import { headText, isPlainObject, jsonMessage, parseJson, shortValue, startsWithJson } from './lens-bytes.js';

/** The channel class an identifier names, else the identifier as it is. */
function channelOf(identifier: string): string {
  const parsed = parseJson(identifier);
  return parsed.ok && isPlainObject(parsed.value) && typeof parsed.value['channel'] === 'string' ? parsed.value['channel'] : identifier;
}

function packetOf(value: Record<string, unknown>, direction: LensMessage['direction']): ProtocolPacket | string {
  const identifier = typeof value['identifier'] === 'string' ? value['identifier'] : undefined;
  const channel = identifier === undefined ? undefined : channelOf(identifier);
  const where = channel ? ` ${channel}` : '';
  if (direction === 'send') {
    const command = value['command'];
    if (typeof command !== 'string') return 'an Action Cable client message has a "command"';
    const packet: ProtocolPacket = { name: 'actioncable', type: command, summary: `${command}${where}`, ...(channel ? { channel } : {}) };
    if (command === 'message' && typeof value['data'] === 'string') {
      const data = parseJson(value['data']);
      packet.data = data.ok ? data.value : value['data'];
      const action = data.ok && isPlainObject(data.value) && typeof data.value['action'] === 'string' ? data.value['action'] : undefined;
      if (action) {
        packet.event = action;
        packet.summary = `message ${action}${where}`;
      }
    }
    if (command === 'subscribe' && identifier !== undefined) packet.link = { role: 'request', key: `sub:${identifier}` };
    return packet;
  }
  const type = typeof value['type'] === 'string' ? value['type'] : identifier !== undefined && 'message' in value ? 'message' : undefined;
  if (!type) return 'an Action Cable server message has a "type", or an identifier and a message';
  const packet: ProtocolPacket = { name: 'actioncable', type, summary: `${type}${where}`, ...(channel ? { channel } : {}) };
  if (type === 'message') packet.data = value['message'];
  else if (type === 'ping') packet.summary = 'ping';
  else if (type === 'disconnect') {
    packet.data = { reason: value['reason'], reconnect: value['reconnect'] };
    if (value['reason'] !== undefined) packet.summary = `disconnect ${shortValue(value['reason'])}`;
  }
  if ((type === 'confirm_subscription' || type === 'reject_subscription') && identifier !== undefined) {
    packet.link = { role: 'answer', key: `sub:${identifier}`, final: true };
  }
  return packet;
}

class ActionCableDecoder implements LensDecoder {
  decode(message: LensMessage): LensResult {
    const json = jsonMessage(message, 'Action Cable');
    if (!json.ok) return { packets: [], problems: [json.problem] };
    if (!isPlainObject(json.value)) return { packets: [], problems: ['an Action Cable message is an object'] };
    const packet = packetOf(json.value, message.direction);
    return typeof packet === 'string' ? { packets: [], problems: [packet] } : { packets: [packet] };
  }
}

export const actionCableLens: Lens = {
  name: 'actioncable',
  detect(connection: LensConnection, first: readonly LensMessage[]): number {
    const speaks = speaksSubprotocol(connection, 'actioncable-v1-json', 'actioncable-v1-msgpack', 'actioncable-unsupported');
    if (speaks === 'chosen') return 1;
    if (speaks === 'offered') return 0.8;
    if (first.some((m) => m.direction === 'receive' && startsWithJson(m, '{') && /"type"\s*:\s*"welcome"/.test(headText(m.data)))) return 0.7;
    return 0;
  },
  decoder(): LensDecoder {
    return new ActionCableDecoder();
  },
};
