// The lenses Framescope ships, in the order a tie in detection is settled. A new lens adds one import
// and one entry here; nothing else knows the protocols by name.
import type { Lens } from './lens.js';
import { socketIoLens } from './socket-io.js';
import { engineIoLens } from './engine-io.js';
import { graphqlTransportWsLens, subscriptionsTransportWsLens } from './graphql-ws.js';
import { jsonRpcLens } from './json-rpc.js';
import { phoenixLens } from './phoenix.js';
import { actionCableLens } from './actioncable.js';
import { wampLens } from './wamp.js';
import { mqttLens } from './mqtt.js';
import { stompLens } from './stomp.js';
import { signalrLens } from './signalr.js';

export const builtInLenses: readonly Lens[] = [
  socketIoLens,
  engineIoLens,
  graphqlTransportWsLens,
  subscriptionsTransportWsLens,
  jsonRpcLens,
  phoenixLens,
  actionCableLens,
  wampLens,
  mqttLens,
  stompLens,
  signalrLens,
];
