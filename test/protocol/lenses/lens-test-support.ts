// Feeds a recorded connection's messages through a lens, the way the engine does, for tests.
import type { ConnectionRecord } from '../../../src/capture/capture-model.js';
import type { Lens, LensMessage, LensResult, ProtocolPacket } from '../../../src/protocol/lenses/lens.js';
import { lensConnectionOf } from '../../../src/protocol/lenses/lens-connection.js';
import { PacketLinker, type PacketLinks } from '../../../src/protocol/lenses/packet-linker.js';

export const text = (direction: LensMessage['direction'], s: string): LensMessage => ({ direction, opcode: 1, data: new TextEncoder().encode(s) });
export const binary = (direction: LensMessage['direction'], bytes: number[] | Uint8Array): LensMessage => ({ direction, opcode: 2, data: Uint8Array.from(bytes) });

export function lensMessagesOf(connection: ConnectionRecord): LensMessage[] {
  return connection.messages.map((m) => ({ direction: m.direction, opcode: m.message.opcode, data: new Uint8Array(m.message.data) }));
}

export function lensConnectionFor(connection: ConnectionRecord) {
  return lensConnectionOf(connection.request.target, connection.request.rawHeaders, connection.protocol);
}

/** Every message's result, in order. */
export function decodeAll(lens: Lens, connection: ConnectionRecord): LensResult[] {
  const decoder = lens.decoder(lensConnectionFor(connection));
  return lensMessagesOf(connection).map((m) => decoder.decode(m));
}

/** The packets without their link field, flattened with their direction: what a test compares. */
export function packetsOf(connection: ConnectionRecord, results: LensResult[]): { dir: string; packet: Omit<ProtocolPacket, 'link'> }[] {
  return results.flatMap((r, i) => r.packets.map((p) => {
    const { link: _link, ...rest } = p;
    return { dir: connection.messages[i]!.direction, packet: rest };
  }));
}

/** Links between packets, by summary: `request summary -> answer summaries`. */
export function linkPairs(connection: ConnectionRecord, results: LensResult[]): string[] {
  const linker = new PacketLinker();
  results.forEach((r, message) => r.packets.forEach((p, packet) => linker.add({ message, packet }, connection.messages[message]!.time, p)));
  const pairs: string[] = [];
  results.forEach((r, message) => r.packets.forEach((p, packet) => {
    const links: PacketLinks | undefined = linker.linksOf({ message, packet });
    if (links?.answers) pairs.push(`${p.summary} -> ${links.answers.map((a) => results[a.message]!.packets[a.packet]!.summary).join(' | ')}`);
  }));
  return pairs;
}
