// A 200 MB message through the proxy: frames are cut through, never held whole. The proxy runs as
// its own process so its memory can be read from /proc. FRAMESCOPE_BIG_MESSAGE_MIB=1024 sends 1 GiB.
import { describe, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { encodeFrame } from '../../src/protocol/frame-encoder.js';
import { mask } from '../../src/protocol/masking.js';
import { startRawServer, rawClientHandshake } from '../support/peers.js';
import { startProxyProcess, exited, memoryOf } from '../support/cli.js';

const SIZE = Number(process.env.FRAMESCOPE_BIG_MESSAGE_MIB ?? 200) * 1024 * 1024;
const CHUNK = 1024 * 1024;

describe.runIf(process.platform === 'linux')(`a ${SIZE / 2 ** 20} MiB message`, () => {
  it('passes through byte for byte while the proxy grows by far less than the message', async () => {
    const server = await startRawServer();
    const { child, port } = await startProxyProcess([]);
    try {
      const client = await rawClientHandshake(port, `ws://127.0.0.1:${server.port}/big`, `127.0.0.1:${server.port}`);
      const upstream = await server.nextConnection();
      const before = await memoryOf(child.pid!);

      // Count and hash what arrives instead of keeping it.
      const received = createHash('sha256');
      let receivedBytes = 0;
      upstream.socket.removeAllListeners('data');
      upstream.socket.on('data', (chunk: Buffer) => { received.update(chunk); receivedBytes += chunk.length; });

      const key = randomBytes(4);
      const [header] = encodeFrame({ opcode: 2, mask: key, payload: Buffer.alloc(0), payloadLength: SIZE, lengthForm: 64 });
      const sent = createHash('sha256');
      const write = (bytes: Buffer) => {
        sent.update(bytes);
        return client.peer.socket.write(bytes);
      };
      write(header);
      const plain = randomBytes(CHUNK);
      for (let offset = 0; offset < SIZE; offset += CHUNK) {
        const masked = Buffer.alloc(CHUNK);
        mask(plain, key, masked, 0, offset % 4);
        if (!write(masked)) await new Promise((resolve) => client.peer.socket.once('drain', resolve));
      }
      const total = header.length + SIZE;
      while (receivedBytes < total) await new Promise((resolve) => upstream.socket.once('data', resolve));
      const after = await memoryOf(child.pid!);

      expect(receivedBytes).toBe(total);
      expect(received.digest('hex')).toBe(sent.digest('hex'));
      const growth = after.peak - before.rss;
      console.log(`proxy RSS before ${(before.rss / 2 ** 20).toFixed(1)} MB, peak after ${(after.peak / 2 ** 20).toFixed(1)} MB, growth ${(growth / 2 ** 20).toFixed(1)} MB for a ${SIZE / 2 ** 20} MB message`);
      // Far below the message size: the stored payload is capped at 1 MiB and the rest streams.
      expect(growth).toBeLessThan(SIZE / 4);
    } finally {
      child.kill('SIGTERM');
      await exited(child);
      await server.close();
    }
  }, 120_000);
});
