// The error log's reading of the engine's error lines: the kind of failure and the host, as the
// engine words them today and as Node words the raw errors.
import { describe, expect, it } from 'vitest';
import { classifyError, isBackgroundHost } from '../../../renderer/src/model/error-kinds.js';

describe('classifying engine errors by kind and host', () => {
  const cases: [string, string, string][] = [
    ['TLS with the client for accounts.google.com failed: ERR_SSL_LENGTH_TOO_SHORT', 'tls-client', 'accounts.google.com'],
    ['TLS handshake with the client for clients2.google.com did not complete within 10000 ms; closed', 'tls-client', 'clients2.google.com'],
    ['could not forward GET http://no-such-host.invalid:8081/page: DNS lookup failed for no-such-host.invalid:8081 (ENOTFOUND)', 'dns', 'no-such-host.invalid'],
    ['could not forward a request: getaddrinfo ENOTFOUND api.example.test', 'dns', 'api.example.test'],
    ['could not forward GET http://127.0.0.1:1/: upstream 127.0.0.1:1 refused the connection (ECONNREFUSED)', 'refused', '127.0.0.1'],
    ['upstream dev.local:8443 TLS certificate failed verification (DEPTH_ZERO_SELF_SIGNED_CERT); start the proxy with --insecure to accept it', 'tls-upstream', 'dev.local'],
    ['tunnel to [::1]:9 failed: upstream [::1]:9 refused the connection (ECONNREFUSED)', 'refused', '::1'],
    ['CONNECT tunnel to example.com:443 from 127.0.0.1:50000 sent nothing within 10000 ms; closed', 'timeout', 'example.com'],
    ['bad request from 127.0.0.1:41000 answered 400: the request could not be parsed (HPE_INVALID_METHOD)', 'bad-request', '127.0.0.1'],
    ['cannot make a certificate for weird.test: EACCES', 'certificate', 'weird.test'],
    ['something else broke for 5 s', 'other', ''],
  ];
  for (const [message, kind, host] of cases) {
    it(`reads "${message.slice(0, 60)}…" as ${kind} ${host || '(no host)'}`, () => {
      expect(classifyError(message)).toEqual({ kind, host });
    });
  }

  it('knows the hosts browsers reach on their own', () => {
    expect(['accounts.google.com', 'optimizationguide-pa.googleapis.com', 'www.gstatic.com'].map(isBackgroundHost)).toEqual([true, true, true]);
    expect(['example.com', 'google.com.evil.test', 'api.myapp.dev'].map(isBackgroundHost)).toEqual([false, false, false]);
  });
});
