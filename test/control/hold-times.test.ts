// Times of what a breakpoint held, through the real proxy: a held message and what queued behind it
// are recorded at the time they went on the wire, so the list in wire order never goes backwards, and
// keep the time they arrived at the proxy beside it: in the store, the control API and the HAR.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeFrameBytes } from '../../src/protocol/frame-encoder.js';
import { exportHar } from '../../src/capture/har-export.js';
import { importHar } from '../../src/capture/har-import.js';
import type { FrameSummary, MessageSummary } from '../../src/control/api-types.js';
import type { RawPeer } from '../support/peers.js';
import type { TestEngine } from '../support/engine.js';
import { openRawConnection, closeRawConnection, type RawConnection, receivedFrames } from '../support/raw-connection.js';

const key = Buffer.from([1, 2, 3, 4]);
const b64 = (s: string) => Buffer.from(s).toString('base64');
/** How long the test holds the message: the wire time is at least this much after the arrival. */
const HOLD_MS = 300;

const text = (row: FrameSummary | MessageSummary) => row.preview;

describe('times of held and queued traffic', () => {
  let t: TestEngine;
  let client: RawPeer;
  let upstream: RawPeer;
  let connectionId: number;

  let c: RawConnection;
  beforeEach(async () => {
    c = await openRawConnection();
    ({ t, client, upstream, connectionId } = c);
  });
  afterEach(() => closeRawConnection(c));

  /**
   * Sends "before", then holds "hold me" while a ping and "queued" wait behind it and the server talks,
   * for at least HOLD_MS; returns when the hold began (after the message arrived) and when it was released.
   */
  async function holdAndRelease(edited?: string): Promise<{ heldSeen: number; releasing: number }> {
    await t.api.call('setBreakpoint', { rule: { id: 0, enabled: true, phase: 'message', direction: 'send', text: 'hold' } });
    client.socket.write(encodeFrameBytes({ opcode: 1, mask: key, payload: 'before' }));
    await receivedFrames(upstream, 'client', 1);
    client.socket.write(encodeFrameBytes({ opcode: 1, mask: key, payload: 'hold me' }));
    await t.api.waitForEvent((e) => e.kind === 'held' && e.items.length === 1);
    const heldSeen = Date.now();
    client.socket.write(Buffer.concat([encodeFrameBytes({ opcode: 9, mask: key, payload: 'ping' }), encodeFrameBytes({ opcode: 1, mask: key, payload: 'queued' })]));
    await t.api.waitForEvent((e) => e.kind === 'held' && e.items.length === 1 && e.items[0]!.queuedCount === 2);
    // The other direction flows during the hold: it goes on the wire before the held message.
    upstream.socket.write(encodeFrameBytes({ opcode: 1, payload: 'server talks' }));
    await receivedFrames(client, 'server', 1);
    await new Promise((resolve) => setTimeout(resolve, HOLD_MS));
    const [item] = await t.api.call('listHeld', {});
    const releasing = Date.now();
    await t.api.call('resolveHeld', { id: item!.id, action: 'forward', ...(edited ? { editedMessage: { opcode: 1, dataBase64: b64(edited) } } : {}) });
    await receivedFrames(upstream, 'client', 4);
    t.engine.store.flush();
    return { heldSeen, releasing };
  }

  async function rows(): Promise<{ frames: FrameSummary[]; messages: MessageSummary[] }> {
    const { frames } = await t.api.call('queryFrames', { connectionId, start: 0, end: 100 });
    const { messages } = await t.api.call('queryMessages', { connectionId, start: 0, end: 100 });
    return { frames, messages };
  }

  function expectNonDecreasing(times: number[]): void {
    for (let i = 1; i < times.length; i++) expect(times[i]).toBeGreaterThanOrEqual(times[i - 1]!);
  }

  it('records a held message and what queued behind it at their wire time, with their arrival beside it', async () => {
    const { heldSeen, releasing } = await holdAndRelease();
    const { frames, messages } = await rows();
    // Wire order: what the server said during the hold went before the held message.
    expect(frames.map((f) => [f.direction, f.opcode, text(f)])).toEqual([
      ['send', 1, 'before'], ['receive', 1, 'server talks'], ['send', 1, 'hold me'], ['send', 9, 'ping'], ['send', 1, 'queued'],
    ]);
    expectNonDecreasing(frames.map((f) => f.time));
    expectNonDecreasing(messages.map((m) => m.time));
    const [before, talks, held, ping, queued] = frames;
    // What went on as it came has one time.
    expect(before!.arrivedAt).toBeUndefined();
    expect(talks!.arrivedAt).toBeUndefined();
    // The held message: arrived before the hold was seen, sent on release, at least HOLD_MS apart.
    expect(held!.arrivedAt).toBeLessThanOrEqual(heldSeen);
    expect(held!.time).toBeGreaterThanOrEqual(releasing);
    expect(held!.time).toBeGreaterThanOrEqual(held!.arrivedAt! + HOLD_MS);
    expect(held!.arrivedAt).toBeGreaterThanOrEqual(before!.time);
    // What queued behind it arrived after it and left with it.
    for (const f of [ping!, queued!]) {
      expect(f.arrivedAt).toBeGreaterThanOrEqual(held!.arrivedAt!);
      expect(f.arrivedAt).toBeLessThanOrEqual(talks!.time);
      expect(f.time).toBeGreaterThanOrEqual(releasing);
    }
    // Messages carry the times of their final frames.
    expect(messages.map((m) => [text(m), m.time, m.arrivedAt])).toEqual([
      ['before', before!.time, undefined], ['server talks', talks!.time, undefined],
      ['hold me', held!.time, held!.arrivedAt], ['queued', queued!.time, queued!.arrivedAt],
    ]);
    // A frame's detail and a message's have them too.
    expect(await t.api.call('getFrame', { connectionId, number: 2 })).toMatchObject({ time: held!.time, arrivedAt: held!.arrivedAt });
    expect(await t.api.call('getMessage', { connectionId, number: 2 })).toMatchObject({ time: held!.time, arrivedAt: held!.arrivedAt });
    expect((await t.api.call('getFrame', { connectionId, number: 0 })).arrivedAt).toBeUndefined();

    // HAR: time is the wire time (seconds), _arrived the arrival; an import reads both back.
    const har = exportHar(t.engine.store.toConnectionRecords()).log.entries[0] as unknown as {
      _webSocketFrames: { time: number; _arrived?: number }[]; _webSocketMessages: { data: string; time: number; _arrived?: number }[];
    };
    expect(har._webSocketFrames.map((f) => [f.time, f._arrived])).toEqual(frames.map((f) => [f.time / 1000, f.arrivedAt === undefined ? undefined : f.arrivedAt / 1000]));
    expect(har._webSocketMessages.map((m) => [m.data, m.time, m._arrived])).toEqual(messages.map((m) => [text(m), m.time / 1000, m.arrivedAt === undefined ? undefined : m.arrivedAt / 1000]));
    const imported = importHar(JSON.stringify(exportHar(t.engine.store.toConnectionRecords()))).connections[0]!;
    expect(imported.frames.map((f) => [f.time, f.arrivedAt])).toEqual(frames.map((f) => [f.time, f.arrivedAt]));
    expect(imported.messages.map((m) => [m.time, m.arrivedAt])).toEqual(messages.map((m) => [m.time, m.arrivedAt]));
  });

  it('records an edit at its wire time with the held original\'s arrival, and the replaced original beside it', async () => {
    const { heldSeen, releasing } = await holdAndRelease('edited');
    const { frames, messages } = await rows();
    expect(frames.map((f) => [f.direction, text(f), f.dropped, f.edited])).toEqual([
      ['send', 'before', false, false], ['receive', 'server talks', false, false],
      ['send', 'hold me', true, true], ['send', 'edited', false, true], ['send', 'ping', false, false], ['send', 'queued', false, false],
    ]);
    expectNonDecreasing(frames.map((f) => f.time));
    expectNonDecreasing(messages.map((m) => m.time));
    const [, , original, edit, ping] = frames;
    expect(original!.arrivedAt).toBeLessThanOrEqual(heldSeen);
    expect(original!.time).toBeGreaterThanOrEqual(releasing);
    // The edit went on the wire on release; it stands for the held message, which arrived earlier.
    expect(edit!.arrivedAt).toBe(original!.arrivedAt);
    expect(edit!.time).toBeGreaterThanOrEqual(edit!.arrivedAt! + HOLD_MS);
    expect(ping!.arrivedAt).toBeGreaterThanOrEqual(original!.arrivedAt!);
    expect(messages.map((m) => [text(m), m.arrivedAt !== undefined])).toEqual([
      ['before', false], ['server talks', false], ['hold me', true], ['edited', true], ['queued', true],
    ]);
    expect(messages[3]!.arrivedAt).toBe(original!.arrivedAt);
  });
});
