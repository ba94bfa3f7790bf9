// A watchdog around a worker thread that runs an in-process target: a hang (no progress on one input
// for timeLimit ms) or a heap overflow ends the worker, is charged to the input being run, and a fresh
// worker takes over.
import { Worker } from 'node:worker_threads';

const WORKER = new URL('./worker.mjs', import.meta.url);

export class InProcessRunner {
  /** @param {{ targetUrl: string, timeLimit: number, heapLimitMb: number, memoryLimit: number }} options */
  constructor(options) {
    this.options = options;
    this.worker = null;
    this.batch = 0;
  }

  async start() {
    const progress = new SharedArrayBuffer(12);
    this.progress = new Int32Array(progress);
    this.worker = new Worker(WORKER, {
      workerData: { targetUrl: this.options.targetUrl, progress, memoryLimit: this.options.memoryLimit },
      resourceLimits: { maxOldGenerationSizeMb: this.options.heapLimitMb, maxYoungGenerationSizeMb: 64 },
      stdout: true,
      stderr: true,
    });
    this.worker.stdout.resume();
    this.worker.stderr.resume();
    await new Promise((resolve, reject) => {
      this.worker.once('message', resolve);
      this.worker.once('error', reject);
    });
  }

  async stop() {
    await this.worker?.terminate();
    this.worker = null;
  }

  /**
   * Runs the inputs; resolves with { failures: [{ index, kind, message }], done, peak }: done counts the
   * inputs that ran. After a hang or an out-of-memory the worker is replaced and the rest of the batch
   * is left out (done says how far it got).
   */
  async run(inputs) {
    if (!this.worker) await this.start();
    const batch = ++this.batch;
    const worker = this.worker;
    const { timeLimit } = this.options;
    return new Promise((resolve) => {
      let lastCount = Atomics.load(this.progress, 2);
      let lastChange = Date.now();
      const finish = async (result, restart) => {
        clearInterval(watchdog);
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
        if (restart) {
          await worker.terminate().catch(() => {});
          this.worker = null;
        }
        resolve(result);
      };
      const current = () => (Atomics.load(this.progress, 0) === batch ? Atomics.load(this.progress, 1) : 0);
      const watchdog = setInterval(() => {
        const count = Atomics.load(this.progress, 2);
        if (count !== lastCount) {
          lastCount = count;
          lastChange = Date.now();
        } else if (Date.now() - lastChange > timeLimit) {
          const index = current();
          void finish({ failures: [{ index, kind: 'hang', message: `no progress for ${timeLimit} ms` }], done: index + 1, peak: 0 }, true);
        }
      }, Math.min(100, timeLimit / 4));
      const onMessage = (message) => {
        if (message.batch === batch) void finish({ failures: message.failures, done: inputs.length, peak: message.peak }, false);
      };
      const onError = (error) => {
        const index = current();
        const kind = error.code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'memory' : 'crash';
        void finish({ failures: [{ index, kind, message: `${error.code ?? error.name}: ${error.message}` }], done: index + 1, peak: 0 }, true);
      };
      const onExit = (code) => {
        const index = current();
        void finish({ failures: [{ index, kind: 'crash', message: `the worker exited with ${code}` }], done: index + 1, peak: 0 }, true);
      };
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
      worker.postMessage({ batch, inputs: inputs.map((b) => new Uint8Array(b)) });
    });
  }
}
