// Which tool wrote a HAR, and which of its entries are WebSockets.
import { isObject } from './json-values.js';
import type { Json } from './json-values.js';
import type { HarFormat } from './problems.js';

/** The tool, from log.creator.name, else 'framescope' when some entry has our own fields. */
export function detectFormat(creator: string, hasOwnFields: boolean): HarFormat {
  if (/^framescope$/i.test(creator)) return 'framescope';
  if (creator === 'WebInspector') return 'chrome';
  if (/^http ?toolkit$/i.test(creator)) return 'httptoolkit';
  if (/mitmproxy/i.test(creator)) return 'mitmproxy';
  if (/^playwright$/i.test(creator)) return 'playwright';
  return hasOwnFields ? 'framescope' : 'unknown';
}

/** `_resourceType: "websocket"`, `_webSocketMessages`, a 101 with Upgrade: websocket, or a request asking for one. */
export function isWebSocketEntry(e: Json): boolean {
  if (typeof e._resourceType === 'string' && e._resourceType.toLowerCase() === 'websocket') return true;
  if (e._webSocketMessages !== undefined) return true;
  if (isObject(e.response) && e.response.status === 101 && namesWebSocket(e.response.headers)) return true;
  return isObject(e.request) && namesWebSocket(e.request.headers);
}

/** True when HAR headers have an Upgrade header whose list names websocket. */
function namesWebSocket(headers: unknown): boolean {
  if (!Array.isArray(headers)) return false;
  return headers.some((h: unknown) => isObject(h) && typeof h.name === 'string' && h.name.toLowerCase() === 'upgrade' &&
    typeof h.value === 'string' && h.value.split(',').some((t) => t.trim().toLowerCase() === 'websocket'));
}
