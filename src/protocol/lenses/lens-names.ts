// The lens names and the user's per-connection choice, apart from the lenses themselves so that the
// UI and stored annotations can check a name without loading every protocol.
import type { LensName } from './lens.js';

/** What the user chose for a connection: a lens by name, automatic detection, or none (raw only). */
export type LensChoice = LensName | 'auto' | 'none';

/** Every lens name, in the order the issue lists the protocols (kept in step with LensName). */
export const LENS_NAMES: readonly LensName[] = [
  'engine.io', 'socket.io', 'graphql-transport-ws', 'subscriptions-transport-ws', 'mqtt', 'stomp', 'signalr',
  'json-rpc', 'phoenix', 'actioncable', 'wamp',
];

export function isLensChoice(value: unknown): value is LensChoice {
  return value === 'auto' || value === 'none' || (typeof value === 'string' && (LENS_NAMES as readonly string[]).includes(value));
}
