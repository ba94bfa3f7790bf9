// The proxy's listener, over a real socket: request heads of every kind (absolute-form upgrades to a
// local echo server, CONNECT, plain HTTP, garbage) and what follows them (frames, a body).
import { encodeFrameBytes } from '../../dist/src/protocol/frame-encoder.js';
import { exchange } from '../lib/engine-process.mjs';
import { fillPlaceholders } from '../lib/socket-runner.mjs';
import { httpDictionary, httpHeadArbitrary, httpSeeds } from './http-inputs.mjs';

const frames = Buffer.concat([
  encodeFrameBytes({ opcode: 1, fin: true, mask: Buffer.from([1, 2, 3, 4]), payload: 'hello' }),
  encodeFrameBytes({ opcode: 8, fin: true, mask: Buffer.from([1, 2, 3, 4]), payload: Buffer.from([0x03, 0xe8]) }),
]);

export default {
  name: 'proxy-listener',
  kind: 'socket',
  maxLength: 4096,
  dictionary: httpDictionary.concat([frames, Buffer.from('\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03', 'latin1'), Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n')]),
  seeds: () => {
    const heads = httpSeeds({});
    return [...heads, Buffer.concat([heads[0], frames]), Buffer.concat([heads[1], frames])];
  },
  arbitrary: (fc) => fc.tuple(httpHeadArbitrary(fc), fc.boolean()).map(([head, withFrames]) => (withFrames ? Buffer.concat([head, frames]) : head)),
  send(input, context) {
    return exchange(context.proxyPort, fillPlaceholders(input, context), { idle: 60, ms: 1500 });
  },
};
