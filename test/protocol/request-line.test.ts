import { describe, expect, it } from 'vitest';
import { checkRequestHead } from '../../src/protocol/request-line.js';

const headers = ['Host', 'example.com', 'Upgrade', 'websocket'];

describe('checking an edited upgrade request', () => {
  it('finds nothing wrong with a well-formed origin-form or absolute-form request', () => {
    expect(checkRequestHead({ method: 'GET', target: '/chat?room=1', httpVersion: '1.1', rawHeaders: headers })).toEqual([]);
    expect(checkRequestHead({ method: 'GET', target: 'ws://example.com/chat', rawHeaders: headers })).toEqual([]);
  });

  it('reports a space in the target, a relative target, a method other than GET and a bad header, each with its RFC', () => {
    expect(checkRequestHead({ method: 'POST', target: 'dump hs', httpVersion: '1.1', rawHeaders: ['Bad Name', 'x', 'X-Ok', 'a\r\nb'] })).toEqual([
      { field: 'method', message: 'an opening handshake is a GET request, not POST', rfc: 'RFC 6455 §4.1' },
      { field: 'target', message: 'the request target holds a space; spaces, control and non-ASCII characters must be percent-encoded', rfc: 'RFC 9112 §3.2' },
      { field: 'target', message: 'the request target "dump hs" neither starts with / (origin-form) nor is an absolute URL', rfc: 'RFC 9112 §3.2' },
      { field: 'header 1', message: 'the header name "Bad Name" is not a token', rfc: 'RFC 9112 §5.1' },
      { field: 'header 2', message: 'the value of X-Ok holds the character U+000D', rfc: 'RFC 9110 §5.5' },
    ]);
  });

  it('reports non-ASCII in the target, an empty target and a malformed version', () => {
    expect(checkRequestHead({ method: 'GET', target: '/é', rawHeaders: [] }).map((p) => p.message)).toEqual([
      'the request target holds the character U+00E9; spaces, control and non-ASCII characters must be percent-encoded',
    ]);
    expect(checkRequestHead({ method: 'GET', target: '', httpVersion: '1', rawHeaders: [] }).map((p) => p.field)).toEqual(['target', 'version']);
  });
});
