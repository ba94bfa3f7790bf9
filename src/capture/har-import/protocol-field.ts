// `_protocol` on imported messages (Framescope's HAR): which lens the connection was read through, so an
// import reads it through the same one even where detection would not find it (a lens the user chose).
// The packets themselves are not imported: they are decoded again from the data, as for any message.
import type { LensName } from '../../protocol/lenses/lens.js';
import { LENS_NAMES } from '../../protocol/lenses/lens-names.js';
import type { FieldReport } from './item-fields.js';
import { bad, isObject } from './json-values.js';

/**
 * Lenses that show another lens's packets inside their own: Socket.IO runs on Engine.IO, so a Socket.IO
 * connection's pings are `engine.io` packets. The connection's lens is the outer one.
 */
const CARRIED_BY: Partial<Record<LensName, LensName>> = { 'engine.io': 'socket.io' };

/** Collects the lens names of an entry's `_protocol` fields, reporting the first malformed one. */
export function lensOfProtocolItems(report: FieldReport): { add(item: unknown, i: number): void; lens(): LensName | undefined } {
  const seen = new Set<LensName>();
  let reported = false;
  return {
    add(item, i) {
      if (!isObject(item) || item._protocol === undefined) return;
      const packets: unknown[] = Array.isArray(item._protocol) ? item._protocol : [item._protocol];
      for (const packet of packets) {
        const name = isObject(packet) ? packet.name : undefined;
        if (typeof name === 'string' && (LENS_NAMES as readonly string[]).includes(name)) {
          seen.add(name as LensName);
        } else if (!reported) {
          reported = true;
          report(`_webSocketMessages[${i}]._protocol`, `${bad(isObject(packet) ? name : packet, `a packet whose name is one of ${LENS_NAMES.join(', ')}`)}; ignored`);
        }
      }
    },
    lens() {
      // The outer lens when both it and the one it carries were seen; else the first seen.
      for (const name of seen) {
        const outer = CARRIED_BY[name];
        if (outer && seen.has(outer)) continue;
        return name;
      }
      return undefined;
    },
  };
}
