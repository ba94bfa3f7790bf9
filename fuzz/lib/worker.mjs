// Runs one in-process target's inputs in a worker thread. Before each input it stores the input's
// number in shared memory, so the main thread's watchdog knows which input a hang is in even while
// this thread never yields; it reports exceptions and its memory after each batch.
import { parentPort, workerData } from 'node:worker_threads';
import { getHeapStatistics } from 'node:v8';

const target = (await import(workerData.targetUrl)).default;
const progress = new Int32Array(workerData.progress);
const context = target.setup ? await target.setup() : undefined;
const memoryLimit = workerData.memoryLimit;

parentPort.on('message', async ({ batch, inputs }) => {
  const failures = [];
  let peak = 0;
  for (let i = 0; i < inputs.length; i++) {
    Atomics.store(progress, 0, batch);
    Atomics.store(progress, 1, i);
    Atomics.add(progress, 2, 1);
    try {
      const result = target.run(Buffer.from(inputs[i]), context);
      if (result && typeof result.then === 'function') await result;
    } catch (error) {
      failures.push({ index: i, kind: 'crash', message: describe(error) });
    }
    const heap = getHeapStatistics();
    const used = heap.used_heap_size + heap.external_memory;
    if (used > peak) peak = used;
    if (used > memoryLimit) {
      failures.push({ index: i, kind: 'memory', message: `${Math.round(used / 1048576)} MiB in use after the input (limit ${Math.round(memoryLimit / 1048576)} MiB)` });
      // What the input left behind must not be blamed on the next one.
      globalThis.gc?.();
    }
  }
  Atomics.store(progress, 1, -1);
  parentPort.postMessage({ batch, failures, peak });
});
parentPort.postMessage({ ready: true });

function describe(error) {
  if (error instanceof Error) return `${error.name}: ${error.message}\n${(error.stack ?? '').split('\n').slice(1, 6).join('\n')}`;
  return `thrown: ${String(error)}`;
}
