// The control API's wire types, re-exported for the renderer as types only (src/control/api-types.ts
// is the one contract). View models live in ../model; nothing here is shaped for display.
export type * from '../../../src/control/api-types.js';

/** The control WebSocket's path (CONTROL_PATH in api-types.ts; the renderer takes no runtime code from src/). */
export const CONTROL_PATH = '/control';
/** The order of a connection's counts in a 'counts' event, after its id (COUNT_FIELDS in api-types.ts). */
export const COUNT_FIELDS = ['frameCount', 'messageCount', 'framesSent', 'framesReceived', 'messagesSent', 'messagesReceived', 'bytesSent', 'bytesReceived', 'violationCount'] as const;
/** The API version this UI speaks (CONTROL_API_VERSION in api-types.ts). */
export const CONTROL_API_VERSION = 1;
