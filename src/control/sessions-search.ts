// searchSessions: the store's search over every connection of several sessions, one session at a
// time (a saved one is opened for its turn and closed after it), hits streamed to the caller as
// they are found. Memory holds one session's index and one batch of hits; the hit limit stops it.
import type { Engine } from '../engine.js';
import type { CaptureStore } from '../capture/capture-store.js';
import { filterProblem } from '../settings/settings-rules.js';
import type { ControlClient } from './control-server.js';
import type { ControlCommands } from './api-types.js';

/** Hits a search across sessions delivers at most, unless the caller asks for fewer. */
export const DEFAULT_MAX_SESSION_HITS = 10_000;

type Handlers = {
  [M in 'searchSessions' | 'cancelSessionsSearch']: (params: ControlCommands[M]['params'], client: ControlClient) => Promise<ControlCommands[M]['result']> | ControlCommands[M]['result'];
};

export function sessionSearchCommands(engine: Engine): Handlers {
  const running = new Map<number, AbortController>();
  let nextId = 1;
  return {
    searchSessions: async ({ sessions, filter, maxHits }, client) => {
      const problem = filterProblem(filter);
      if (problem) throw new Error(`filter ${problem}`);
      if (maxHits !== undefined && (!Number.isInteger(maxHits) || maxHits < 1 || maxHits > DEFAULT_MAX_SESSION_HITS)) {
        throw new Error(`maxHits must be from 1 to ${DEFAULT_MAX_SESSION_HITS}`);
      }
      const known = (await engine.catalog.list()).map((s) => s.name);
      if (!known.includes(engine.liveName)) known.push(engine.liveName);
      let names: string[];
      if (sessions === 'all') {
        names = known;
      } else if (Array.isArray(sessions) && sessions.every((s) => typeof s === 'string')) {
        const missing = sessions.filter((s) => !known.includes(s));
        if (missing.length > 0) throw new Error(`there is no session named ${missing.map((m) => `"${m}"`).join(', ')}`);
        names = [...new Set(sessions)];
      } else {
        throw new Error('sessions must be "all" or a list of session names');
      }
      const searchId = nextId++;
      const controller = new AbortController();
      running.set(searchId, controller);
      void run(engine, names, filter, maxHits ?? DEFAULT_MAX_SESSION_HITS, searchId, controller, client).finally(() => running.delete(searchId));
      return { searchId, sessions: names };
    },
    cancelSessionsSearch: ({ searchId }) => {
      running.get(searchId)?.abort(new Error('cancelled'));
      return {};
    },
  };
}

async function run(
  engine: Engine, names: string[], filter: ControlCommands['searchSessions']['params']['filter'], maxHits: number,
  searchId: number, controller: AbortController, client: ControlClient,
): Promise<void> {
  let scanned = 0;
  let hits = 0;
  let searched = 0;
  let limited = false;
  const problems: string[] = [];
  const query = { direction: filter.direction, opcode: filter.opcode, violation: filter.violation as never, text: filter.text, regex: filter.regex, flags: filter.flags };
  for (const name of names) {
    if (controller.signal.aborted) break;
    let store: CaptureStore;
    let opened = false;
    try {
      if (name === engine.viewedName) store = engine.store;
      else if (name === engine.liveName) store = engine.liveStore;
      else {
        store = await engine.catalog.open(name);
        opened = true;
      }
    } catch (error) {
      problems.push(`session "${name}" could not be opened: ${(error as Error).message}`);
      continue;
    }
    try {
      const urls = new Map(store.connections().map((c) => [c.id, c.url]));
      const result = await store.search(null, query, (batch) => {
        const take = batch.slice(0, maxHits - hits);
        hits += take.length;
        if (take.length > 0) client.send({ kind: 'sessions-search-hits', searchId, session: name, hits: take.map((h) => ({ ...h, session: name, url: urls.get(h.connectionId) ?? '' })) });
        if (hits >= maxHits) {
          limited = true;
          controller.abort(new Error('limit'));
        }
      }, { signal: controller.signal });
      scanned += result.scanned;
      searched++;
    } catch (error) {
      // Aborted (the limit, or the caller): the hits so far stand. Anything else is this session's problem.
      if (!controller.signal.aborted) problems.push(`session "${name}" could not be searched: ${(error as Error).message}`);
      else searched++;
    } finally {
      if (opened) store.close();
    }
  }
  client.send({ kind: 'sessions-search-done', searchId, sessions: searched, scanned, hits, limited, cancelled: controller.signal.aborted && !limited, problems });
}
