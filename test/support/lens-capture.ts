// What a lens sees of a connection the proxy recorded: the handshake facts and every message, read back
// from the engine's capture store the way the UI and the HAR export read them.
import type { Engine } from '../../src/engine.js';
import type { Lens, LensConnection, LensMessage, ProtocolPacket } from '../../src/protocol/lenses/lens.js';

/** Polls until the predicate holds (no timed assertions: the bound is generous and only stops a hung test). */
export async function waitFor(predicate: () => boolean, what: string, bound = 15_000): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > bound) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export interface RecordedConnection {
  id: number;
  connection: LensConnection;
  messages: LensMessage[];
}

/** The recorded connections whose request target matches, in the order they were made; waits until they are closed. */
export async function recordedConnections(engine: Engine, matches: (target: string) => boolean, count: number): Promise<RecordedConnection[]> {
  const store = engine.store;
  const wanted = () => store.connections().filter((c) => matches(c.request.target));
  await waitFor(() => {
    const found = wanted();
    return found.length >= count && found.every((c) => c.state === 'closed' || c.state === 'failed');
  }, `${count} closed connections`);
  return wanted().map((c) => {
    const offered = offeredSubprotocols(c.request.rawHeaders);
    const connection: LensConnection = { target: c.request.target, offeredSubprotocols: offered };
    if (c.protocol) connection.subprotocol = c.protocol;
    const messages = store.messages(c.id, 0, store.messageCount(c.id)).map((m): LensMessage => ({
      direction: m.direction, opcode: m.message.opcode, data: new Uint8Array(m.message.data),
    }));
    return { id: c.id, connection, messages };
  });
}

function offeredSubprotocols(rawHeaders: string[]): string[] {
  const offered: string[] = [];
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if (rawHeaders[i]!.toLowerCase() === 'sec-websocket-protocol') offered.push(...rawHeaders[i + 1]!.split(',').map((p) => p.trim()).filter(Boolean));
  }
  return offered;
}

/** Feeds a recorded connection to a fresh decoder; fails on any problem the lens reports. */
export function decodeRecorded(lens: Lens, recorded: RecordedConnection): { direction: LensMessage['direction']; packets: ProtocolPacket[] }[] {
  const decoder = lens.decoder(recorded.connection);
  return recorded.messages.map((m) => {
    const result = decoder.decode(m);
    if (result.problems) throw new Error(`the ${lens.name} lens reported problems: ${result.problems.join('; ')}`);
    return { direction: m.direction, packets: result.packets };
  });
}
