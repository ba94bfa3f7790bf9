// Sorting a connection's frame list engine-side, through the control API, over real frames sent
// through the proxy by raw socket peers: the exact row order for each column and direction, with a
// filter, and as new frames arrive.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeFrameBytes } from '../../src/protocol/frame-encoder.js';
import type { RawPeer } from '../support/peers.js';
import type { TestEngine } from '../support/engine.js';
import { openRawConnection, closeRawConnection, type RawConnection } from '../support/raw-connection.js';

const mask = Buffer.from([9, 8, 7, 6]);

describe('frame list sorting', () => {
  let t: TestEngine;
  let client: RawPeer;
  let upstream: RawPeer;
  let connectionId: number;

  /** The client sends a frame; returns once the server has it. */
  async function fromClient(opcode: number, payload: string): Promise<void> {
    const bytes = encodeFrameBytes({ opcode, mask, payload });
    const before = upstream.bytes.length;
    client.socket.write(bytes);
    await upstream.waitForBytes(before + bytes.length);
  }

  /** The server sends a frame; returns once the client has it. */
  async function fromServer(opcode: number, payload: string): Promise<void> {
    const bytes = encodeFrameBytes({ opcode, payload });
    const before = client.bytes.length;
    upstream.socket.write(bytes);
    await client.waitForBytes(before + bytes.length);
  }

  async function frameCount(n: number): Promise<void> {
    for (let i = 0; i < 200; i++) {
      if ((await t.api.call('queryFrames', { connectionId, start: 0, end: 0 })).total >= n) return;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error(`the connection never had ${n} frames`);
  }

  async function order(params: { sort?: { key: 'time' | 'direction' | 'opcode' | 'length' | 'violations'; descending?: boolean }; filter?: { direction?: 'send' | 'receive' } }): Promise<number[]> {
    const { frames } = await t.api.call('queryFrames', { connectionId, start: 0, end: 100, ...params });
    return frames.map((f) => f.number);
  }

  let c: RawConnection;
  beforeEach(async () => {
    c = await openRawConnection();
    ({ t, client, upstream, connectionId } = c);
    // Frames 0-5 in wire order: lengths 4, 2, 1, 6, 6, 1.
    await fromClient(1, 'aaaa');
    await fromServer(1, 'dd');
    await fromClient(1, 'b');
    await fromServer(1, 'eeeeee');
    await fromClient(2, 'cccccc');
    await fromServer(9, 'f');
    await frameCount(6);
  });
  afterEach(() => closeRawConnection(c));

  it('sorts by payload length, ties in wire order, ascending and descending', async () => {
    expect(await order({ sort: { key: 'length' } })).toEqual([2, 5, 1, 0, 3, 4]);
    expect(await order({ sort: { key: 'length', descending: true } })).toEqual([3, 4, 0, 1, 2, 5]);
    const { frames } = await t.api.call('queryFrames', { connectionId, start: 0, end: 3, sort: { key: 'length', descending: true } });
    expect(frames.map((f) => [f.number, f.direction, f.opcode, f.payloadLength, f.preview])).toEqual([
      [3, 'receive', 1, 6, 'eeeeee'], [4, 'send', 2, 6, 'cccccc'], [0, 'send', 1, 4, 'aaaa'],
    ]);
  });

  it('sorts by opcode and by direction, and keeps wire order without a sort', async () => {
    expect(await order({})).toEqual([0, 1, 2, 3, 4, 5]);
    expect(await order({ sort: { key: 'opcode', descending: true } })).toEqual([5, 4, 0, 1, 2, 3]);
    expect(await order({ sort: { key: 'direction' } })).toEqual([0, 2, 4, 1, 3, 5]);
    expect(await order({ sort: { key: 'violations' } })).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('windows a sorted list by position', async () => {
    const { total, frames } = await t.api.call('queryFrames', { connectionId, start: 2, end: 4, sort: { key: 'length' } });
    expect(total).toBe(6);
    expect(frames.map((f) => f.number)).toEqual([1, 0]);
  });

  it('composes a filter with a sort', async () => {
    expect(await order({ filter: { direction: 'receive' }, sort: { key: 'length', descending: true } })).toEqual([3, 1, 5]);
    expect(await t.api.call('locateFrame', { connectionId, number: 1, filter: { direction: 'receive' }, sort: { key: 'length', descending: true } })).toEqual({ position: 1 });
    expect(await t.api.call('locateFrame', { connectionId, number: 0, filter: { direction: 'receive' }, sort: { key: 'length' } })).toEqual({ position: -1 });
    expect(await t.api.call('locateFrame', { connectionId, number: 4, sort: { key: 'length' } })).toEqual({ position: 5 });
    expect(await t.api.call('locateFrame', { connectionId, number: 4 })).toEqual({ position: 4 });
  });

  it('puts frames that arrive later in their sorted place', async () => {
    expect(await order({ sort: { key: 'length', descending: true } })).toEqual([3, 4, 0, 1, 2, 5]);
    await fromClient(1, 'gggggggggg');
    await fromServer(1, 'hh');
    await frameCount(8);
    expect(await order({ sort: { key: 'length', descending: true } })).toEqual([6, 3, 4, 0, 1, 7, 2, 5]);
    expect(await order({ sort: { key: 'length' } })).toEqual([2, 5, 1, 7, 0, 3, 4, 6]);
  });

  it('refuses an unknown sort column by name', async () => {
    await expect(t.api.call('queryFrames', { connectionId, start: 0, end: 10, sort: { key: 'size' as never } }))
      .rejects.toThrow('sort.key must be one of time, direction, opcode, length, violations');
  });
});
