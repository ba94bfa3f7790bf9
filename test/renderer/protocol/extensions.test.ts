import { describe, expect, it } from 'vitest';
import { headerValues, splitExtensions, splitProtocols } from '../../../renderer/src/protocol/extensions.js';

describe('handshake header display', () => {
  it('splits extensions and their parameters, quoted values unquoted', () => {
    expect(splitExtensions('permessage-deflate; client_max_window_bits; server_max_window_bits="10", x-webkit-deflate-frame')).toEqual([
      { name: 'permessage-deflate', params: [{ name: 'client_max_window_bits', value: null }, { name: 'server_max_window_bits', value: '10' }] },
      { name: 'x-webkit-deflate-frame', params: [] },
    ]);
  });

  it('keeps a comma inside a quoted value', () => {
    expect(splitExtensions('ext; a="x,y"')).toEqual([{ name: 'ext', params: [{ name: 'a', value: 'x,y' }] }]);
  });

  it('lists subprotocols and finds header values case-insensitively in wire order', () => {
    expect(splitProtocols(' chat.v2 , superchat,')).toEqual(['chat.v2', 'superchat']);
    expect(headerValues(['Sec-WebSocket-Protocol', 'a', 'Host', 'h', 'sec-websocket-protocol', 'b'], 'SEC-WEBSOCKET-PROTOCOL')).toEqual(['a', 'b']);
  });
});
