// The UI server's listener (static files and the control API's upgrade, one port), over a real socket.
import { exchange } from '../lib/engine-process.mjs';
import { fillPlaceholders } from '../lib/socket-runner.mjs';
import { httpDictionary, httpHeadArbitrary } from './http-inputs.mjs';

const host = 'Host: 127.0.0.1:{{UI}}\r\n';
const upgrade = 'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n';

export default {
  name: 'ui-listener',
  kind: 'socket',
  maxLength: 4096,
  dictionary: httpDictionary.concat(['/control', '?token={{TOKEN}}', host, '/index.html', '/assets/', '%2e%2e%2f', '..%2f'].map((s) => Buffer.from(s, 'latin1'))),
  seeds: () => [
    `GET / HTTP/1.1\r\n${host}\r\n`,
    `GET /index.html?x=%41 HTTP/1.1\r\n${host}Origin: http://127.0.0.1:{{UI}}\r\n\r\n`,
    `HEAD /assets/missing.js HTTP/1.1\r\n${host}\r\n`,
    `GET /control?token={{TOKEN}} HTTP/1.1\r\n${host}${upgrade}\r\n`,
    `GET /control?token=wrong HTTP/1.1\r\n${host}${upgrade}\r\n`,
    `GET /control?token={{TOKEN}} HTTP/1.1\r\nHost: evil.example:{{UI}}\r\n${upgrade}\r\n`,
    `GET /%E0%A4%A HTTP/1.1\r\n${host}\r\n`,
    `GET /..%2f..%2fetc/passwd HTTP/1.1\r\n${host}\r\n`,
    `POST / HTTP/1.1\r\n${host}Content-Length: 3\r\n\r\nabc`,
  ].map((s) => Buffer.from(s, 'latin1')),
  arbitrary: (fc) => httpHeadArbitrary(fc),
  send(input, context) {
    return exchange(context.uiPort, fillPlaceholders(input, context), { idle: 60, ms: 1500 });
  },
};
