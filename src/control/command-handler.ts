// The control API's commands, carried out on the engine. Each returns exactly the result type that
// api-types.ts names for it; bad parameters are errors the client sees.
import { importHar, formatHarImportProblem } from '../capture/har-import.js';
import { exportHar } from '../capture/har-export.js';
import { computeAccept } from '../protocol/handshake.js';
import { headerValues } from '../protocol/http-head.js';
import { encodeFrame } from '../protocol/frame-encoder.js';
import type { StoredFrame } from '../capture/capture-store.js';
import { Engine } from '../engine.js';
import type { CommandHandler } from './control-server.js';
import { CONTROL_API_VERSION, type ConnectionDetail, type ControlCommands, type ControlMethod, type FrameDetail, type FrameSummary } from './api-types.js';

type Handlers = { [M in ControlMethod]: (params: ControlCommands[M]['params'], send: Parameters<CommandHandler>[2]) => Promise<ControlCommands[M]['result']> | ControlCommands[M]['result'] };

export function commandHandler(engine: Engine, options: { caPath?: () => string | undefined } = {}): CommandHandler {
  const searches = new Map<number, AbortController>();
  let nextSearch = 1;

  // Partial until the traffic-changing commands land (issue 5).
  const handlers: Partial<Handlers> = {
    hello: () => {
      const address = engine.proxyAddress;
      const upstream = engine.proxy.upstreamUrl;
      return {
        version: CONTROL_API_VERSION,
        proxy: {
          address: `${address.address}:${address.port}`,
          mode: upstream ? 'reverse' : 'explicit',
          ...(upstream ? { upstream } : {}),
          ...(options.caPath?.() ? { caPath: options.caPath() } : {}),
        },
        session: engine.sessionInfo(),
        recording: engine.isRecording,
      };
    },
    listConnections: () => engine.store.connections().map(Engine.toApiSummary),
    getConnection: ({ id }) => {
      const summary = engine.store.connections().find((c) => c.id === id);
      if (!summary) throw new Error(`no connection ${id} in this session`);
      const key = headerValues(summary.request.rawHeaders, 'sec-websocket-key');
      const response = summary.response;
      const detail: ConnectionDetail = {
        ...Engine.toApiSummary(summary),
        request: summary.request,
        ...(response
          ? {
              response: {
                statusCode: response.statusCode, statusMessage: response.statusMessage, httpVersion: response.httpVersion,
                rawHeaders: response.rawHeaders, time: response.time,
                ...(response.body?.length ? { bodyBase64: response.body.toString('base64') } : {}),
              },
            }
          : {}),
        checks: summary.checks,
        ...(summary.tls ? { tls: summary.tls } : {}),
        ...(key.length === 1 ? { expectedAccept: computeAccept(key[0]!) } : {}),
      };
      return detail;
    },
    queryFrames: ({ connectionId, start, end, filter }) => {
      const storeFilter = filter && { direction: filter.direction, opcode: filter.opcode, violation: filter.violation as never };
      return {
        total: engine.store.frameCount(connectionId, storeFilter),
        frames: engine.store.frames(connectionId, start, Math.min(end, start + 5000), storeFilter) as FrameSummary[],
      };
    },
    getFrame: ({ connectionId, number }) => {
      const stored = engine.store.frame(connectionId, number);
      const [summary] = engine.store.frames(connectionId, number, number + 1) as FrameSummary[];
      const detail: FrameDetail = { ...summary!, headerHex: headerBytes(stored).toString('hex'), payloadBase64: stored.frame.payload.toString('base64') };
      const message = engine.store.messageEndingAt(connectionId, number);
      if (message) {
        detail.message = {
          number: message.number,
          opcode: message.captured.message.opcode,
          dataBase64: message.captured.message.data.toString('base64'),
          size: message.captured.message.size,
          compressed: message.captured.message.compressed,
          truncated: message.captured.message.truncated,
          frames: message.frameNumbers,
          violations: message.captured.message.violations,
        };
      }
      return detail;
    },
    search: ({ connectionId, filter }, client) => {
      const searchId = nextSearch++;
      const controller = new AbortController();
      searches.set(searchId, controller);
      const query = { direction: filter.direction, opcode: filter.opcode, violation: filter.violation as never, text: filter.text, regex: filter.regex, flags: filter.flags };
      if (filter.regex !== undefined) new RegExp(filter.regex, (filter.flags ?? '').replace(/[gy]/g, '')); // a bad pattern is the caller's error, now
      engine.store.search(connectionId, query, (hits) => client.send({ kind: 'search-hits', searchId, hits }), { signal: controller.signal }).then(
        (result) => client.send({ kind: 'search-done', searchId, scanned: result.scanned, hits: result.hits }),
        () => client.send({ kind: 'search-done', searchId, scanned: 0, hits: 0 }),
      ).finally(() => searches.delete(searchId));
      return { searchId };
    },
    cancelSearch: ({ searchId }) => {
      searches.get(searchId)?.abort();
      return {};
    },
    exportHar: ({ connectionIds }) => {
      const har = exportHar(engine.store.toConnectionRecords(connectionIds));
      return { fileName: `${engine.sessionInfo().name}.har`, har: JSON.stringify(har, null, 2) };
    },
    importHar: async ({ text, name }) => {
      const result = importHar(text);
      const session = await engine.importSession(name ?? 'imported', result.connections);
      return { session, problems: result.problems.map(formatHarImportProblem) };
    },
    listSessions: async () => {
      return (await engine.catalog.list()).map((s) => ({ ...s, live: s.name === engine.liveName }));
    },
    newSession: ({ name }) => engine.newSession(name),
    openSession: ({ name }) => engine.openSession(name),
    saveSession: ({ name }) => engine.saveSession(name),
    deleteSession: ({ name }) => {
      engine.deleteSession(name);
      return {};
    },
    setRecording: ({ on }) => {
      engine.setRecording(Boolean(on));
      return { recording: engine.isRecording };
    },
  };

  return async (method, params, client) => {
    const handler = handlers[method] as ((p: unknown, c: typeof client) => unknown) | undefined;
    if (!handler) throw new Error(`unknown command "${method}"`);
    return handler(params ?? {}, client);
  };
}

/** The frame's header exactly as it was on the wire (it is determined by the recorded fields). */
function headerBytes(stored: StoredFrame): Buffer {
  const f = stored.frame;
  const [header] = encodeFrame({
    fin: f.fin, rsv1: f.rsv1, rsv2: f.rsv2, rsv3: f.rsv3, opcode: f.opcode,
    mask: f.masked ? f.maskKey : false,
    payload: Buffer.alloc(0),
    payloadLength: f.payloadLength,
    lengthForm: f.lengthForm,
  });
  return header;
}
