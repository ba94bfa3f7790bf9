// The control API's WebSocket, byte by byte: a valid upgrade with the token (not fuzzed), then any bytes
// as the client's frames.
import { encodeFrameBytes } from '../../dist/src/protocol/frame-encoder.js';
import { exchange } from '../lib/engine-process.mjs';

const key = Buffer.from([0x11, 0x22, 0x33, 0x44]);
const text = (payload, extra = {}) => encodeFrameBytes({ opcode: 1, fin: true, mask: key, payload, ...extra });

function upgraded(context) {
  return (socket) => new Promise((resolve) => {
    let head = '';
    const onData = (d) => {
      head += d.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      socket.off('data', onData);
      resolve(head.startsWith('HTTP/1.1 101'));
    };
    socket.on('data', onData);
    socket.write(`GET /control?token=${context.token} HTTP/1.1\r\nHost: 127.0.0.1:${context.uiPort}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n');
  });
}

export default {
  name: 'control-socket',
  kind: 'socket',
  maxLength: 4096,
  dictionary: [[0x81, 0x80], [0x82, 0xfe], [0x88, 0x80], [0x89, 0x80], [0x01, 0x80], [0x80, 0x80], [0xc1, 0x80], [0x81, 0x7f],
    [0x81, 0xff, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]].map((b) => Buffer.from(b)),
  seeds: () => [
    text('{"id":1,"method":"hello","params":{}}'),
    Buffer.concat([text('{"id":2,"method":"listConnections"}', { fin: false }), encodeFrameBytes({ opcode: 9, fin: true, mask: key, payload: 'p' }),
      encodeFrameBytes({ opcode: 0, fin: true, mask: key, payload: '' })]),
    text('{"id":3,"method":"queryFrames","params":{"connectionId":1,"start":0,"end":10}}'),
    encodeFrameBytes({ opcode: 8, fin: true, mask: key, payload: Buffer.from([0x03, 0xe8]) }),
    encodeFrameBytes({ opcode: 2, fin: true, mask: key, payload: Buffer.alloc(10, 1) }),
  ],
  arbitrary: (fc) => fc.array(fc.record({ opcode: fc.nat(15), fin: fc.boolean(), rsv1: fc.boolean(), masked: fc.boolean(), payload: fc.string({ maxLength: 60 }) }), { minLength: 1, maxLength: 4 })
    .map((frames) => Buffer.concat(frames.map((f) => encodeFrameBytes({ opcode: f.opcode, fin: f.fin, rsv1: f.rsv1, mask: f.masked ? key : false, payload: f.payload })))),
  send(input, context) {
    return exchange(context.uiPort, input, { idle: 60, ms: 1500, after: upgraded(context) });
  },
};
