// `_protocol` on HAR messages: each `_webSocketMessages` item read through its connection's lens (the
// user's choice, else auto-detection), as the contract says: {name, type, summary, event?,
// channel?, id?, data?} (and the lens's own fields), an array when the message holds several packets,
// nothing when it holds none or only part of one. Decoded as the messages are written, one at a time.
import type { CapturedMessage } from './capture-model.js';
import type { HarMessage } from './har-export.js';
import type { ProtocolPacket } from '../protocol/lenses/lens.js';
import { lensConnectionOf } from '../protocol/lenses/lens-connection.js';
import { DETECTION_MESSAGES, defaultLensRegistry, type LensChoice } from '../protocol/lenses/registry.js';
import { ConnectionProtocol } from '../lenses/connection-protocol.js';
import type { ConnectionRecord } from './capture-model.js';

/** A packet as HAR carries it: the contract's fields, without the link (an in-app notion). */
export type HarProtocolPacket = Omit<ProtocolPacket, 'link'>;

export function harPacket(packet: ProtocolPacket): HarProtocolPacket {
  const { link: _link, ...rest } = packet;
  return rest;
}

/** `_protocol` for a message's packets: one object, an array for several, undefined for none. */
export function harProtocolField(packets: readonly ProtocolPacket[]): HarProtocolPacket | HarProtocolPacket[] | undefined {
  if (packets.length === 0) return undefined;
  return packets.length === 1 ? harPacket(packets[0]!) : packets.map(harPacket);
}

/**
 * A function that gives each message of the connection, in order, its `_protocol`. first: the
 * connection's first messages (for detection); choice: the user's lens choice.
 */
export function protocolWriter(record: Pick<ConnectionRecord, 'request' | 'protocol'>, first: Iterable<CapturedMessage>, choice: LensChoice = 'auto'): (m: CapturedMessage, har: HarMessage) => HarMessage {
  const connection = lensConnectionOf(record.request.target, record.request.rawHeaders, record.protocol);
  const head: { direction: 'send' | 'receive'; opcode: number; data: Uint8Array }[] = [];
  if (choice === 'auto') {
    for (const m of first) {
      head.push({ direction: m.direction, opcode: m.message.opcode, data: m.message.data });
      if (head.length >= DETECTION_MESSAGES) break;
    }
  }
  const lens = defaultLensRegistry().choose(choice, connection, head);
  if (!lens) return (_m, har) => har;
  const view = new ConnectionProtocol(lens, connection);
  return (m, har) => {
    const field = harProtocolField(view.add(m).packets);
    return field === undefined ? har : { ...har, _protocol: field };
  };
}
