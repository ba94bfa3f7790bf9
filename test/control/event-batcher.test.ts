// The event batcher of one control client, driven directly: what it sends, and when, through the
// sink a control server gives it (its socket's send and unread bytes).
import { describe, expect, it } from 'vitest';
import { EventBatcher } from '../../src/control/event-batcher.js';
import type { ControlEvent } from '../../src/control/api-types.js';

class RecordingSink {
  readonly batches: { batch: number; events: ControlEvent[] }[] = [];
  send(events: ControlEvent[], batch: number): void {
    this.batches.push({ batch, events });
  }
  backlog(): number {
    return 0;
  }
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > 10_000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('event batcher', () => {
  it('sends an answer to the client\'s own request at once, not after the interval its other events wait', async () => {
    const sink = new RecordingSink();
    // An interval longer than the test may run: only an answer can go out before it is over.
    const batcher = new EventBatcher(sink, 600_000);
    const error: ControlEvent = { kind: 'error', message: 'first', time: 1 };
    batcher.push(error);
    // After a quiet spell the first batch goes at once.
    await until(() => sink.batches.length === 1, 'the first batch');
    const later: ControlEvent = { kind: 'error', message: 'waits for the interval', time: 2 };
    const hits: ControlEvent = { kind: 'search-hits', searchId: 3, hits: [] };
    const done: ControlEvent = { kind: 'search-done', searchId: 3, scanned: 10, hits: 0 };
    batcher.push(later);
    batcher.push(hits);
    batcher.push(done);
    await until(() => sink.batches.length === 2, 'the answer');
    // Not paced: what was queued goes with it, in order.
    expect(sink.batches).toEqual([{ batch: 1, events: [error] }, { batch: 2, events: [later, hits, done] }]);
    batcher.dispose();
  });

  it('sends a paced client only the answers until it acknowledges, then the rest', async () => {
    const sink = new RecordingSink();
    const batcher = new EventBatcher(sink, 20);
    batcher.watch(undefined, true);
    const first: ControlEvent = { kind: 'error', message: 'first', time: 1 };
    batcher.push(first);
    await until(() => sink.batches.length === 1, 'the first batch');
    const waiting: ControlEvent = { kind: 'error', message: 'waits for the acknowledgement', time: 2 };
    const hits: ControlEvent = { kind: 'search-hits', searchId: 4, hits: [] };
    batcher.push(waiting);
    batcher.push(hits);
    await until(() => sink.batches.length === 2, 'the answer');
    expect(sink.batches[1]).toEqual({ batch: 2, events: [hits] });
    batcher.acknowledge(1);
    await until(() => sink.batches.length === 3, 'the batch after the acknowledgement');
    expect(sink.batches[2]).toEqual({ batch: 3, events: [waiting] });
    batcher.dispose();
  });
});
