// startMock, stopMock and listMocks: mocks started from a UI ("Mock this connection"). A mock serves a
// recorded connection of the browsed session (or of a saved one) on loopback, and its connections are
// recorded in the live session, so the UI shows them as they happen and can compare them with the
// original. An unexpected client message gets a note on the message, like any annotation.
import type { Engine } from '../engine.js';
import type { CaptureStore } from '../capture/capture-store.js';
import { startMock, type MockHandle } from '../mock/mock-server.js';
import { sourceFromStore, type MockSource } from '../mock/mock-source.js';
import { MATCH_LEVELS, MOCK_TIMINGS } from '../mock/script-matcher.js';
import type { ControlCommands, MockInfo } from './api-types.js';

type MockCommands = 'startMock' | 'stopMock' | 'listMocks';
type Handlers = { [M in MockCommands]: (params: ControlCommands[M]['params']) => Promise<ControlCommands[M]['result']> | ControlCommands[M]['result'] };

/** Unexpected messages a listing carries per mock. */
const LISTED_UNEXPECTED = 20;
const PREVIEW = 120;

export function mockCommands(engine: Engine): Handlers {
  const mocks = new Map<number, { handle: MockHandle; session: string }>();
  let nextId = 1;
  engine.onStop(async () => {
    const running = [...mocks.values()];
    mocks.clear();
    await Promise.allSettled(running.map((mock) => mock.handle.stop()));
  });

  const info = (id: number): MockInfo => {
    const { handle, session } = mocks.get(id)!;
    return {
      id, url: handle.url, port: handle.port,
      source: { session, connectionId: handle.source.connectionId, url: handle.source.url },
      timing: handle.timing, match: handle.match,
      connectionIds: [...handle.connectionIds],
      unexpectedCount: handle.unexpectedCount,
      unexpected: handle.unexpected.slice(-LISTED_UNEXPECTED).map((u) => ({
        ...(u.connectionId !== undefined ? { connectionId: u.connectionId } : {}),
        index: u.index, opcode: u.opcode, time: u.time,
        preview: u.opcode === 1 ? u.data.subarray(0, PREVIEW).toString('utf8') : `base64:${u.data.subarray(0, PREVIEW).toString('base64')}`,
      })),
    };
  };

  return {
    startMock: async ({ connectionId, session, port, timing, match }) => {
      if (!Number.isInteger(connectionId) || connectionId < 1) throw new Error('connectionId must be a connection id');
      if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) throw new Error('port must be a whole number from 0 to 65535');
      if (timing !== undefined && !MOCK_TIMINGS.includes(timing)) throw new Error(`timing must be ${MOCK_TIMINGS.join(' or ')}`);
      if (match !== undefined && !MATCH_LEVELS.includes(match)) throw new Error(`match must be ${MATCH_LEVELS.join(', ')}`);
      const name = session ?? engine.viewedName;
      const source = await readSource(engine, name, connectionId);
      const handle = await startMock(source, {
        session: engine.liveSession,
        ...(port !== undefined ? { port } : {}),
        ...(timing ? { timing } : {}),
        ...(match ? { match } : {}),
        annotate: (id, number, note) => {
          const annotation = { connectionId: id, target: 'message' as const, number, note, pinned: false, highlight: 'red' as const, time: Date.now() };
          engine.liveStore.putAnnotation(annotation);
          engine.emit('event', { kind: 'annotation', annotation });
        },
      });
      const id = nextId++;
      mocks.set(id, { handle, session: name });
      return info(id);
    },
    stopMock: async ({ id }) => {
      const mock = mocks.get(id);
      if (!mock) throw new Error(`there is no mock ${id}`);
      mocks.delete(id);
      await mock.handle.stop();
      return {};
    },
    listMocks: () => [...mocks.keys()].map(info),
  };
}

/** The recorded connection: from the live or browsed store when it is one of them, else opened for the read. */
async function readSource(engine: Engine, name: string, connectionId: number): Promise<MockSource> {
  const open: CaptureStore | undefined = name === engine.liveName ? engine.liveStore : name === engine.viewedName ? engine.store : undefined;
  if (open) {
    open.flush();
    return sourceFromStore(open, connectionId, name);
  }
  const store = await engine.catalog.open(name);
  try {
    return sourceFromStore(store, connectionId, name);
  } finally {
    store.close();
  }
}
