// Runs a listener target: each input goes to the engine over a real socket (a few at a time); after each
// batch the engine is probed. When it died or stopped answering, the batch's inputs are tried one by one
// on a fresh engine to find the one that does it. The engine is restarted now and then, so that what
// earlier inputs left behind (connections, recorded frames) does not pile up.
import { EngineProcess, startEchoServer } from './engine-process.mjs';

const CONCURRENCY = 6;
const FRESH_EVERY_MS = 60_000;

export class SocketRunner {
  /** @param {{ target: object, timeLimit: number, memoryLimit: number }} options */
  constructor(options) {
    this.options = options;
    this.engine = null;
    this.echo = null;
  }

  async start() {
    this.echo ??= await startEchoServer();
    this.engine = new EngineProcess();
    await this.engine.start();
  }

  async stop() {
    await this.engine?.stop();
    this.engine = null;
    await this.echo?.close();
    this.echo = null;
  }

  context() {
    const e = this.engine;
    return { proxyPort: e.proxyPort, uiPort: e.uiPort, token: e.token, echoPort: this.echo.port };
  }

  async restart() {
    await this.engine?.stop();
    this.engine = new EngineProcess();
    await this.engine.start();
  }

  /** Sends inputs; resolves like InProcessRunner.run. */
  async run(inputs) {
    if (!this.echo || !this.engine) await this.start();
    else if (!this.engine.alive || Date.now() - this.engine.startedAt > FRESH_EVERY_MS) await this.restart();
    await this.sendAll(inputs);
    const problem = await this.check();
    const peak = this.engine.rss();
    if (!problem) return { failures: [], done: inputs.length, peak };
    if (inputs.length === 1) {
      await this.restart();
      return { failures: [{ index: 0, ...problem }], done: 1, peak };
    }
    // Which input was it? One at a time, each on a fresh engine.
    for (let i = 0; i < inputs.length; i++) {
      await this.restart();
      await this.sendAll([inputs[i]]);
      const alone = await this.check();
      if (alone) {
        await this.restart();
        return { failures: [{ index: i, ...alone }], done: inputs.length, peak };
      }
    }
    await this.restart();
    return { failures: [{ index: -1, ...problem, message: `${problem.message} (no single input of the batch does it alone)` }], done: inputs.length, peak };
  }

  async sendAll(inputs) {
    const context = this.context();
    let next = 0;
    const worker = async () => {
      while (next < inputs.length) {
        const input = inputs[next++];
        await this.options.target.send(input, context);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.options.target.concurrency ?? CONCURRENCY, inputs.length) }, worker));
  }

  async check() {
    const problem = await this.engine.probe(this.options.timeLimit);
    if (problem) return problem;
    const rss = this.engine.rss();
    if (rss > this.options.memoryLimit) return { kind: 'memory', message: `the engine's RSS is ${Math.round(rss / 1048576)} MiB (limit ${Math.round(this.options.memoryLimit / 1048576)} MiB)` };
    return null;
  }
}

/** Fills a socket seed's placeholders with this run's ports and token. */
export function fillPlaceholders(input, context) {
  const text = input.toString('latin1');
  if (!text.includes('{{')) return input;
  return Buffer.from(text
    .replaceAll('{{ECHO}}', String(context.echoPort))
    .replaceAll('{{UI}}', String(context.uiPort))
    .replaceAll('{{PROXY}}', String(context.proxyPort))
    .replaceAll('{{TOKEN}}', context.token), 'latin1');
}
