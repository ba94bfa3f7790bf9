// Recording policies through the real proxy and raw peers: full keeps every payload byte, headers keeps
// every frame's header fields and the first N bytes of each payload (and says how long the whole was,
// in the store and in the HAR), off keeps connections and handshakes only. The relay's bytes are the
// same under every policy, and the session records which policy it was recorded under, and each change.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeFrameBytes } from '../../src/protocol/frame-encoder.js';
import { exportHar } from '../../src/capture/har-export.js';
import { importHar } from '../../src/capture/har-import.js';
import { CaptureStore } from '../../src/capture/capture-store.js';
import { rawClientHandshake } from '../support/peers.js';
import { openRawConnection, closeRawConnection, type RawConnection, receivedFrames } from '../support/raw-connection.js';

const key = Buffer.from([0x11, 0x22, 0x33, 0x44]);
/** 1000 bytes that differ at every position, so a prefix of the wrong length or place cannot pass. */
const big = Buffer.from(Array.from({ length: 1000 }, (_, i) => (i * 7 + 3) & 0xff));

interface HarJson { log: { entries: { _webSocketMessages: Record<string, unknown>[]; _webSocketFrames: Record<string, unknown>[] }[] } }
/** The HAR as a file holds it. */
const harOf = (store: CaptureStore): HarJson => JSON.parse(JSON.stringify(exportHar(store.toConnectionRecords()))) as HarJson;

describe('recording policies', () => {
  let c: RawConnection;
  beforeEach(async () => {
    c = await openRawConnection();
  });
  afterEach(() => closeRawConnection(c));

  /** Sends a 1000-byte binary message and a 5-byte text one from the client; returns the bytes the server got. */
  async function sendTwo(): Promise<Buffer> {
    const wire = Buffer.concat([encodeFrameBytes({ opcode: 2, mask: key, payload: big }), encodeFrameBytes({ opcode: 1, mask: key, payload: 'hello' })]);
    c.client.socket.write(wire);
    const frames = await receivedFrames(c.upstream, 'client', 2);
    expect(frames).toHaveLength(2);
    return wire;
  }

  async function storedWhenCounted(frames: number, messages: number) {
    const store = c.t.engine.store;
    for (let i = 0; i < 500 && (store.frameCount(c.connectionId) < frames || store.messageCount(c.connectionId) < messages); i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    store.flush();
    return store;
  }

  it('full, the default, keeps every payload byte, and the session says it was recorded under full', async () => {
    expect((await c.t.api.call('hello', {})).recordPolicy).toEqual({ mode: 'full', prefixBytes: 256 });
    const wire = await sendTwo();
    expect(c.upstream.bytes.equals(wire)).toBe(true);
    const store = await storedWhenCounted(2, 2);
    const frame = store.frame(c.connectionId, 0);
    expect(frame.frame.payload.equals(big)).toBe(true);
    expect(frame.frame.truncated).toBe(false);
    const [binary, text] = store.messages(c.connectionId, 0, 2);
    expect(binary!.message.data.equals(big)).toBe(true);
    expect(text!.message.data.toString()).toBe('hello');
    expect(store.policies().map(({ mode, prefixBytes }) => ({ mode, prefixBytes }))).toEqual([{ mode: 'full', prefixBytes: 256 }]);
    const har = harOf(store);
    const messages = har.log.entries[0]!._webSocketMessages;
    expect(messages[0]).not.toHaveProperty('_truncated');
    expect(messages[0]!.data).toBe(big.toString('base64'));
  });

  it('headers keeps the first N bytes of each payload, every header field, and the whole length in the store and the HAR', async () => {
    expect(await c.t.api.call('setRecordPolicy', { mode: 'headers', prefixBytes: 16 })).toEqual({ mode: 'headers', prefixBytes: 16 });
    const wire = await sendTwo();
    // The relay is as faithful as ever: the server got exactly what the client sent.
    expect(c.upstream.bytes.equals(wire)).toBe(true);
    const store = await storedWhenCounted(2, 2);
    const first = store.frame(c.connectionId, 0).frame;
    expect(first.payload.equals(big.subarray(0, 16))).toBe(true);
    expect(first.payloadLength).toBe(1000);
    expect(first.truncated).toBe(true);
    expect(first.masked).toBe(true);
    expect(first.maskKey?.equals(key)).toBe(true);
    expect(first.lengthForm).toBe(16);
    expect(first.headerLength).toBe(8);
    const second = store.frame(c.connectionId, 1).frame;
    expect(second.payload.toString()).toBe('hello');
    expect(second.truncated).toBe(false);
    const [binary, text] = store.messages(c.connectionId, 0, 2);
    expect(binary!.message.data.equals(big.subarray(0, 16))).toBe(true);
    expect(binary!.message.truncated).toBe(true);
    expect(binary!.message.size).toBe(1000);
    expect(text!.message.data.toString()).toBe('hello');
    expect(text!.message.truncated).toBe(false);

    const har = harOf(store);
    const [harBinary, harText] = har.log.entries[0]!._webSocketMessages;
    expect(harBinary).toMatchObject({ type: 'send', opcode: 2, data: big.subarray(0, 16).toString('base64'), truncated: true, _truncated: 1000 });
    expect(harText).not.toHaveProperty('_truncated');
    expect(harText).not.toHaveProperty('truncated');
    expect(har.log.entries[0]!._webSocketFrames[0]).toMatchObject({ payloadLength: 1000, maskKey: '11223344' });
    // Read back, the HAR keeps the whole size of what was cut.
    const imported = importHar(JSON.stringify(har)).connections[0]!.messages[0]!.message;
    expect(imported).toMatchObject({ truncated: true, size: 1000 });
    expect(imported.data.equals(big.subarray(0, 16))).toBe(true);
  });

  it('off keeps connections and handshakes only: no frames or messages, but the close and a new connection with its handshake', async () => {
    await c.t.api.call('setRecordPolicy', { mode: 'off' });
    const wire = await sendTwo();
    expect(c.upstream.bytes.equals(wire)).toBe(true);
    const second = await rawClientHandshake(c.t.proxyPort, `ws://127.0.0.1:${c.server.port}/second?x=1`, `127.0.0.1:${c.server.port}`);
    const upstream2 = await c.server.nextConnection();
    second.peer.socket.write(encodeFrameBytes({ opcode: 1, mask: key, payload: 'unseen' }));
    await receivedFrames(upstream2, 'client', 1);
    c.client.socket.write(encodeFrameBytes({ opcode: 8, mask: key, payload: Buffer.from([0x03, 0xe8]) }));
    await receivedFrames(c.upstream, 'client', 3);
    const store = c.t.engine.store;
    for (let i = 0; i < 500 && store.connection(c.connectionId)?.close === undefined; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    store.flush();
    const connections = store.connections();
    expect(connections.map((s) => s.url)).toEqual([`ws://127.0.0.1:${c.server.port}/raw`, `ws://127.0.0.1:${c.server.port}/second?x=1`]);
    expect(connections.map((s) => [s.frameCount, s.messageCount])).toEqual([[0, 0], [0, 0]]);
    expect(connections[1]!.response?.statusCode).toBe(101);
    expect(connections[1]!.request.rawHeaders).toContain('dGhlIHNhbXBsZSBub25jZQ==');
    expect(store.connection(c.connectionId)?.close).toEqual({ code: 1000, reason: '', closedBy: 'client' });
    second.peer.socket.destroy();
  });

  it('is recorded in the session with each change, and read back from the file', async () => {
    await c.t.api.call('setRecordPolicy', { mode: 'headers', prefixBytes: 4 });
    await c.t.api.call('setRecordPolicy', { mode: 'off' });
    // The same policy again is no change.
    await c.t.api.call('setRecordPolicy', { mode: 'off' });
    const event = await c.t.api.waitForEvent((e) => e.kind === 'session' && e.session.recordPolicies?.at(-1)?.mode === 'off');
    const expected = [{ mode: 'full', prefixBytes: 256 }, { mode: 'headers', prefixBytes: 4 }, { mode: 'off', prefixBytes: 4 }];
    expect(event.kind === 'session' && event.session.recordPolicies!.map(({ mode, prefixBytes }) => ({ mode, prefixBytes }))).toEqual(expected);
    const store = c.t.engine.store;
    store.flush();
    const reopened = await CaptureStore.open(store.path);
    try {
      const policies = reopened.policies();
      expect(policies.map(({ mode, prefixBytes }) => ({ mode, prefixBytes }))).toEqual(expected);
      expect(policies.every((p, i) => i === 0 || p.time >= policies[i - 1]!.time)).toBe(true);
    } finally {
      reopened.close();
    }
  });

  it('refuses a policy it does not know and a prefix that is not a byte count, and keeps the one it had', async () => {
    await expect(c.t.api.call('setRecordPolicy', { mode: 'some' as 'off' })).rejects.toThrow('the recording policy is one of full, headers, off, not "some"');
    await expect(c.t.api.call('setRecordPolicy', { mode: 'headers', prefixBytes: -1 })).rejects.toThrow('the kept prefix is a whole number of bytes');
    expect((await c.t.api.call('hello', {})).recordPolicy).toEqual({ mode: 'full', prefixBytes: 256 });
  });
});
