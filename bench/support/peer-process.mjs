// One part of a benchmark (a server, a relay, the proxy) in its own Node process, so the path under
// test never shares an event loop with the load generator. The parent starts it with startPeer();
// the child script calls servePeer() once it listens. They talk over the IPC channel: the child
// announces its port, then answers named commands; every peer answers `stats` and `stop`.
import { fork } from 'node:child_process';

/**
 * Parent side: forks `script` and resolves once it listens.
 * A peer that dies before `stop()` fails the whole bench: its figures would be meaningless.
 * @param {string} script path of the child script
 * @param {string[]} args its arguments
 * @param {{ execArgv?: string[] }} options extra Node flags (e.g. --cpu-prof)
 * @returns {Promise<{ port: number, pid: number, command: (name: string, arg?: unknown) => Promise<any>, stop: () => Promise<void> }>}
 */
export function startPeer(script, args = [], { execArgv = [] } = {}) {
  return new Promise((resolve, reject) => {
    const child = fork(script, args, { execArgv: ['--expose-gc', ...execArgv], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const pending = new Map();
    let nextId = 1;
    let stopping = false;
    let ready = false;

    const command = (name, arg) => new Promise((resolveCommand, rejectCommand) => {
      const id = nextId++;
      pending.set(id, { resolve: resolveCommand, reject: rejectCommand });
      child.send({ type: 'command', id, name, arg });
    });
    const stop = async () => {
      stopping = true;
      const exited = new Promise((resolveExit) => child.once('exit', resolveExit));
      if (child.exitCode === null && child.signalCode === null) {
        // A graceful exit, so that --cpu-prof writes its profile.
        await command('stop').catch(() => {});
        await exited;
      }
    };

    child.on('message', (message) => {
      if (message.type === 'ready') {
        ready = true;
        resolve({ port: message.port, pid: child.pid, command, stop });
      } else if (message.type === 'reply') {
        const call = pending.get(message.id);
        pending.delete(message.id);
        if (message.error !== undefined) call?.reject(new Error(`${script}: ${message.error}`));
        else call?.resolve(message.value);
      }
    });
    child.on('error', (error) => {
      if (!ready) reject(error);
    });
    child.on('exit', (code, signal) => {
      const why = new Error(`${script} exited (code ${code}, signal ${signal})`);
      for (const call of pending.values()) call.reject(why);
      pending.clear();
      if (!ready) reject(why);
      else if (!stopping) {
        console.error(`bench error: ${why.message} during the run`);
        process.exit(1);
      }
    });
  });
}

/**
 * Child side: announces `port` and serves commands until `stop` or until the parent goes away.
 * @param {number} port the port this peer listens on
 * @param {Record<string, (arg: unknown) => unknown>} commands extra named commands
 * @param {() => Promise<void> | void} close releases listeners before exit
 */
export function servePeer(port, commands, close) {
  const all = {
    ...commands,
    /** CPU time and heap, with the child's own clock so the parent can turn CPU time into a share. */
    stats: () => ({ cpu: process.cpuUsage(), clockMicros: Number(process.hrtime.bigint() / 1000n), memory: process.memoryUsage() }),
    stop: async () => {
      await close();
      setImmediate(() => process.exit(0));
    },
  };
  process.on('message', async (message) => {
    if (message?.type !== 'command') return;
    try {
      const handler = all[message.name];
      if (!handler) throw new Error(`unknown command ${message.name}`);
      process.send({ type: 'reply', id: message.id, value: await handler(message.arg) });
    } catch (error) {
      process.send({ type: 'reply', id: message.id, error: String(error?.stack ?? error) });
    }
  });
  process.on('disconnect', () => process.exit(0));
  process.send({ type: 'ready', port });
}
