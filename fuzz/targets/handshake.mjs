// The opening handshake checks and the header-list parsers (src/protocol/handshake.ts,
// extension-header.ts, permessage-deflate.ts). Input: a request head followed by a response head; each
// is parsed, checked against RFC 6455 §4, and its extension and subprotocol lists parsed on their own.
import { parseHttpHead, headerValues } from '../../dist/src/protocol/http-head.js';
import { checkUpgradeRequest, checkUpgradeResponse, handshakeRequestFromHead, handshakeResponseFromHead } from '../../dist/src/protocol/handshake.js';
import { formatExtensions, parseExtensions, parseProtocols } from '../../dist/src/protocol/extension-header.js';
import { negotiatedDeflate, parseDeflateParams } from '../../dist/src/protocol/permessage-deflate.js';
import { httpDictionary, httpHeadArbitrary, httpSeeds } from './http-inputs.mjs';

function checkLists(rawHeaders) {
  const extensions = headerValues(rawHeaders, 'sec-websocket-extensions');
  const parsed = parseExtensions(extensions);
  for (const offer of parsed.items) {
    parseDeflateParams(offer, 'server');
    parseDeflateParams(offer, 'client');
  }
  // What formatExtensions writes, parseExtensions reads back the same (the proxy rewrites offers).
  const again = parseExtensions(formatExtensions(parsed.items));
  if (JSON.stringify(again.items) !== JSON.stringify(parsed.items)) {
    throw new Error(`formatExtensions does not round-trip: ${JSON.stringify(parsed.items)} -> ${formatExtensions(parsed.items)} -> ${JSON.stringify(again.items)}`);
  }
  negotiatedDeflate(extensions);
  parseProtocols(headerValues(rawHeaders, 'sec-websocket-protocol'));
}

export default {
  name: 'handshake',
  kind: 'in-process',
  maxLength: 8192,
  dictionary: httpDictionary.concat(['permessage-deflate', 'client_no_context_takeover', 'server_max_window_bits=', '=15', '="8"', ';', ',', '"', '\\']
    .map((s) => Buffer.from(s, 'latin1'))),
  seeds: () => {
    const [request, withExtensions] = httpSeeds({});
    const response = httpSeeds({}).find((s) => s.toString('latin1').startsWith('HTTP/1.1 101'));
    return [Buffer.concat([request, response]), Buffer.concat([withExtensions, Buffer.from(
      'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n' +
      'Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; client_max_window_bits=10, x-foo; a="b,c"\r\nSec-WebSocket-Protocol: chat\r\n\r\n', 'latin1')])];
  },
  arbitrary: (fc) => fc.tuple(httpHeadArbitrary(fc), httpHeadArbitrary(fc)).map(([a, b]) => Buffer.concat([a, Buffer.from('\r\n\r\n'), b])),
  run(input) {
    const requestHead = parseHttpHead(input);
    const request = handshakeRequestFromHead(requestHead);
    if (request) {
      checkUpgradeRequest(request);
      checkLists(request.rawHeaders);
    }
    const responseHead = parseHttpHead(input.subarray(requestHead.headLength));
    const response = handshakeResponseFromHead(responseHead);
    if (response) {
      checkLists(response.rawHeaders);
      if (request) checkUpgradeResponse(request, response);
    }
  },
};
