// The mock's answer to a client's opening handshake, sans-IO: a 101 like the recorded one (its status
// line and headers, with the Accept computed for this client's key), the recorded subprotocol when the
// client offers it, and permessage-deflate with the recorded parameters when the client offers it.
import { computeAccept } from '../protocol/handshake.js';
import { headerValues, serializeHttpHead } from '../protocol/http-head.js';
import { formatExtensions, parseExtensions, parseProtocols, type ExtensionOffer, type ExtensionParam } from '../protocol/extension-header.js';
import { negotiatedDeflate, PERMESSAGE_DEFLATE, type DeflateParams } from '../protocol/permessage-deflate.js';

/** The recorded answer the mock copies. */
export interface RecordedAnswer {
  statusMessage: string;
  httpVersion: string;
  rawHeaders: readonly string[];
}

export type HandshakeAnswer =
  | {
      ok: true;
      /** The 101 head's bytes. */
      head: Buffer;
      /** The subprotocol chosen, when one was. */
      protocol?: string;
      /** permessage-deflate as agreed, or null. */
      deflate: DeflateParams | null;
    }
  | { ok: false; status: 400 | 426; reason: string };

/** The headers the mock writes itself rather than copy from the recording. */
const OWN_HEADERS = new Set(['upgrade', 'connection', 'sec-websocket-accept', 'sec-websocket-protocol', 'sec-websocket-extensions', 'content-length', 'transfer-encoding']);

export function answerHandshake(request: { method: string; rawHeaders: readonly string[] }, recorded: RecordedAnswer | undefined): HandshakeAnswer {
  const upgrade = headerValues(request.rawHeaders, 'upgrade').join(',').toLowerCase();
  if (request.method !== 'GET' || !upgrade.split(',').some((v) => v.trim() === 'websocket')) {
    return { ok: false, status: 426, reason: 'this is a Framescope mock: it answers WebSocket handshakes only' };
  }
  const keys = headerValues(request.rawHeaders, 'sec-websocket-key');
  if (keys.length !== 1 || !/^[+/0-9A-Za-z]{22}==$/.test(keys[0]!.trim())) {
    return { ok: false, status: 400, reason: 'the handshake needs one valid Sec-WebSocket-Key (RFC 6455 §4.1)' };
  }
  const rawHeaders = ['Upgrade', 'websocket', 'Connection', 'Upgrade', 'Sec-WebSocket-Accept', computeAccept(keys[0]!.trim())];

  const recordedHeaders = recorded?.rawHeaders ?? [];
  const recordedProtocol = headerValues(recordedHeaders, 'sec-websocket-protocol')[0]?.trim();
  const offeredProtocols = parseProtocols(headerValues(request.rawHeaders, 'sec-websocket-protocol')).items;
  const protocol = recordedProtocol !== undefined && offeredProtocols.includes(recordedProtocol) ? recordedProtocol : undefined;
  if (protocol !== undefined) rawHeaders.push('Sec-WebSocket-Protocol', protocol);

  const element = deflateAnswer(recordedHeaders, request.rawHeaders);
  let deflate: DeflateParams | null = null;
  if (element) {
    const value = formatExtensions([element]);
    rawHeaders.push('Sec-WebSocket-Extensions', value);
    deflate = negotiatedDeflate(value).params;
  }
  for (let i = 0; i + 1 < recordedHeaders.length; i += 2) {
    if (!OWN_HEADERS.has(recordedHeaders[i]!.toLowerCase())) rawHeaders.push(recordedHeaders[i]!, recordedHeaders[i + 1]!);
  }
  const head = serializeHttpHead({
    response: { version: recorded?.httpVersion ?? '1.1', statusCode: 101, statusMessage: recorded?.statusMessage || 'Switching Protocols' },
    rawHeaders,
  });
  return { ok: true, head, ...(protocol !== undefined ? { protocol } : {}), deflate };
}

/**
 * The recorded permessage-deflate element, fitted to the client's first permessage-deflate offer (RFC
 * 7692 §7.1): client_max_window_bits only when offered (§7.1.2.2), window bits no larger than the offer
 * allows, and server_no_context_takeover or server_max_window_bits added when the offer asks for them
 * (§7.1.1.1, §7.1.2.1: a server that leaves them out declines the offer).
 */
function deflateAnswer(recordedHeaders: readonly string[], requestHeaders: readonly string[]): ExtensionOffer | undefined {
  const recorded = parseExtensions(headerValues(recordedHeaders, 'sec-websocket-extensions')).items.find((e) => e.name.toLowerCase() === PERMESSAGE_DEFLATE);
  if (!recorded) return undefined;
  const offer = parseExtensions(headerValues(requestHeaders, 'sec-websocket-extensions')).items.find((e) => e.name.toLowerCase() === PERMESSAGE_DEFLATE);
  if (!offer) return undefined;
  const offered = (name: string) => offer.params.find((p) => p.name.toLowerCase() === name);
  const atMost = (param: ExtensionParam, limit: ExtensionParam | undefined): ExtensionParam =>
    limit?.value != null && param.value !== null && Number(param.value) > Number(limit.value) ? { ...param, value: limit.value } : param;
  const params: ExtensionParam[] = [];
  for (const param of recorded.params) {
    const name = param.name.toLowerCase();
    if (name === 'client_max_window_bits') {
      if (offered(name)) params.push(atMost(param, offered(name)));
    } else if (name === 'server_max_window_bits') {
      params.push(atMost(param, offered(name)));
    } else {
      params.push(param);
    }
  }
  const has = (name: string) => params.some((p) => p.name.toLowerCase() === name);
  if (offered('server_no_context_takeover') && !has('server_no_context_takeover')) params.push({ name: 'server_no_context_takeover', value: null, quoted: false });
  const serverBits = offered('server_max_window_bits');
  if (serverBits?.value != null && !has('server_max_window_bits')) params.push({ name: 'server_max_window_bits', value: serverBits.value, quoted: false });
  return { name: recorded.name, params };
}
