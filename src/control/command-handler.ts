// The control API's commands, carried out on the engine. Each returns exactly the result type that
// api-types.ts names for it; bad parameters are errors the client sees.
import { exactLength, lengthFromJson } from '../protocol/exact-length.js';
import { validAnnotation } from '../capture/annotations.js';
import { recordPolicyOf } from '../capture/record-policy.js';
import { frameSortOf } from '../capture/frame-order.js';
import { HarJobs } from './har-jobs.js';
import { computeAccept } from '../protocol/handshake.js';
import { headerValues } from '../protocol/http-head.js';
import { encodeClosePayload, encodeFrame, encodeFrameBytes } from '../protocol/frame-encoder.js';
import { Opcode } from '../protocol/frame.js';
import { randomBytes } from 'node:crypto';
import { OwnClient } from '../proxy/own-client.js';
import { framesWithPreviews, messageSummary } from './previews.js';
import { replayConnection } from '../proxy/replay.js';
import { replayHistory } from '../proxy/replay-history.js';
import type { OutgoingMessage } from '../proxy/frame-relay.js';
import type { StoredFrame } from '../capture/capture-store.js';
import { Engine } from '../engine.js';
import type { CommandHandler } from './control-server.js';
import type { RuntimeSettings } from '../settings/runtime-settings.js';
import { compareCommands } from './compare-commands.js';
import { rulesCommands } from './rules-commands.js';
import { sessionSearchCommands } from './sessions-search.js';
import { liveView } from './live-view.js';
import { mockCommands } from './mock-commands.js';
import { protocolCommands } from './protocol-commands.js';
import { launchCommands } from './launch-commands.js';
import { payloadCommands } from './payload-commands.js';
import { CONTROL_API_VERSION, type InjectSpec, type RawFrameSpec, type ConnectionDetail, type ControlCommands, type ControlMethod, type FrameDetail } from './api-types.js';

type Handlers = { [M in ControlMethod]: (params: ControlCommands[M]['params'], send: Parameters<CommandHandler>[2]) => Promise<ControlCommands[M]['result']> | ControlCommands[M]['result'] };

export function commandHandler(engine: Engine, options: { caPath?: () => string | undefined; settings?: RuntimeSettings } = {}): CommandHandler {
  const searches = new Map<number, AbortController>();
  let nextSearch = 1;

  const ownClients = new Map<number, OwnClient>();
  const harJobs = new HarJobs(engine);
  const handlers: Handlers = {
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
        recordingPaused: engine.recordingPause,
        recordPolicy: engine.recordPolicy,
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
        ...(summary.editedRequest ? { editedRequest: summary.editedRequest } : {}),
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
    queryFrames: ({ connectionId, start, end, filter, sort }) => {
      const storeFilter = filter && { direction: filter.direction, opcode: filter.opcode, violation: filter.violation as never };
      const order = frameSortOf(sort);
      return {
        total: engine.store.frameCount(connectionId, storeFilter),
        frames: framesWithPreviews(engine.store, connectionId, engine.store.frames(connectionId, start, Math.min(end, start + 5000), storeFilter, order)),
      };
    },
    locateFrame: ({ connectionId, number, filter, sort }) => {
      const storeFilter = filter && { direction: filter.direction, opcode: filter.opcode, violation: filter.violation as never };
      const numbers = engine.store.listNumbers(connectionId, storeFilter, frameSortOf(sort));
      if (!numbers) return { position: Number.isInteger(number) && number >= 0 && number < engine.store.frameCount(connectionId) ? number : -1 };
      return { position: numbers.indexOf(number) };
    },
    getFrame: ({ connectionId, number }) => {
      const stored = engine.store.frame(connectionId, number);
      const [summary] = framesWithPreviews(engine.store, connectionId, engine.store.frames(connectionId, number, number + 1));
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
    queryMessages: ({ connectionId, start, end }) => {
      const from = Math.max(0, Math.floor(start));
      const to = Math.min(Math.floor(end), from + 5000);
      return {
        total: engine.store.messageCount(connectionId),
        messages: engine.store.messages(connectionId, from, to).map((m, i) => messageSummary(from + i, m)),
      };
    },
    getMessage: ({ connectionId, number }) => {
      const [m] = engine.store.messages(connectionId, number, number + 1);
      if (!m) throw new Error(`connection ${connectionId} has no message ${number}`);
      return { ...messageSummary(number, m), dataBase64: m.message.data.toString('base64') };
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
    setAnnotation: ({ annotation: input }) => {
      const annotation = validAnnotation(input ?? {}, Date.now());
      const { connectionId, target, number } = annotation;
      // A mark saved without a lens keeps the connection's lens choice (setProtocolLens sets it).
      const lens = input && !('lens' in input) && target === 'connection' ? engine.store.annotations(connectionId).find((a) => a.target === 'connection')?.lens : undefined;
      if (lens) annotation.lens = lens;
      if (!engine.store.connection(connectionId)) throw new Error(`there is no connection ${connectionId}`);
      if (target === 'frame' && number >= engine.store.frameCount(connectionId)) throw new Error(`connection ${connectionId} has no frame ${number}`);
      if (target === 'message' && number >= engine.store.messageCount(connectionId)) throw new Error(`connection ${connectionId} has no message ${number}`);
      engine.store.putAnnotation(annotation);
      engine.emit('event', { kind: 'annotation', annotation });
      return annotation;
    },
    listAnnotations: ({ connectionId }) => engine.store.annotations(connectionId),
    startHarExport: (params, client) => harJobs.startExport(params, client),
    readHarExport: ({ jobId, offset }) => harJobs.read(jobId, offset),
    releaseHarExport: ({ jobId }) => {
      harJobs.release(jobId);
      return {};
    },
    startHarImport: (params, client) => harJobs.startImport(params, client),
    writeHarImport: ({ jobId, text }) => {
      harJobs.write(jobId, text);
      return {};
    },
    finishHarImport: ({ jobId }) => {
      harJobs.finish(jobId);
      return {};
    },
    cancelHarJob: ({ jobId }) => {
      harJobs.cancel(jobId);
      return {};
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
    listGaps: () => engine.store.gaps(),
    setRecordPolicy: ({ mode, prefixBytes }) => engine.setRecordPolicy(recordPolicyOf(mode, prefixBytes ?? engine.recordPolicy.prefixBytes)),
    inject: ({ connectionId, direction, message }) => {
      const outgoing = toOutgoing(message);
      const own = ownClients.get(connectionId);
      // In client mode Framescope is the client: what it sends is ordinary client traffic.
      if (own && direction === 'send' && (outgoing.opcode === 1 || outgoing.opcode === 2)) own.send(outgoing.opcode, outgoing.data);
      else engine.proxy.relay(connectionId).inject(direction, outgoing);
      return {};
    },
    resend: ({ connectionId, messageNumber, direction, edited }) => {
      const [captured] = engine.store.messages(connectionId, messageNumber, messageNumber + 1);
      if (!captured) throw new Error(`connection ${connectionId} has no message ${messageNumber}`);
      if (!edited && captured.message.truncated) {
        throw new Error(`message ${messageNumber} was stored truncated (${captured.message.data.length} of ${captured.message.size} bytes); edit it or raise --max-stored-payload`);
      }
      const opcode = edited?.opcode ?? (captured.message.opcode === 2 ? 2 : 1);
      const data = edited ? Buffer.from(edited.dataBase64, 'base64') : captured.message.data;
      engine.proxy.relay(connectionId).inject(direction ?? captured.direction, { opcode, data }, edited ? { injected: true, edited: true } : { injected: true });
      return {};
    },
    sendRawFrame: ({ connectionId, direction, frame }) => {
      const bytes = rawFrameBytes(frame);
      const own = ownClients.get(connectionId);
      if (own && direction === 'send') own.sendRaw(bytes);
      else engine.proxy.relay(connectionId).injectRaw(direction, bytes);
      return {};
    },
    closeConnection: ({ connectionId, mode, toward, code, reason }) => {
      engine.proxy.relay(connectionId).close(mode, toward, code, reason);
      return {};
    },
    listBreakpoints: () => ({ enabled: engine.proxy.breakpoints.enabled, rules: engine.proxy.breakpoints.list() }),
    setBreakpoint: ({ rule }) => engine.proxy.breakpoints.set(rule),
    deleteBreakpoint: ({ id }) => {
      engine.proxy.breakpoints.delete(id);
      return {};
    },
    setBreakpointsEnabled: ({ on }) => {
      engine.proxy.breakpoints.setEnabled(Boolean(on));
      return { enabled: engine.proxy.breakpoints.enabled };
    },
    listHeld: () => engine.proxy.breakpoints.heldItems(),
    resolveHeld: ({ id, action, editedMessage, editedRequest }) => {
      engine.proxy.breakpoints.resolve(id, action === 'drop'
        ? { action: 'drop' }
        : {
            action: 'forward',
            ...(editedMessage ? { editedMessage: { opcode: editedMessage.opcode, data: Buffer.from(editedMessage.dataBase64, 'base64') } } : {}),
            ...(editedRequest ? { editedRequest } : {}),
          });
      return {};
    },
    resolveAllHeld: ({ action }) => ({ count: engine.proxy.breakpoints.resolveAll(action === 'drop' ? { action: 'drop' } : { action: 'forward' }) }),
    openClient: async ({ url, headers, protocols }) => {
      const client = await OwnClient.open(engine.proxy, { url, headers, protocols });
      ownClients.set(client.id, client);
      const forget = (c: { id: number }) => {
        if (c.id !== client.id) return;
        ownClients.delete(client.id);
        engine.liveSession.off('connection-closed', forget);
      };
      engine.liveSession.on('connection-closed', forget);
      return { connectionId: client.id };
    },
    replay: async ({ connectionId, timing, speed, targetUrl, source }) => {
      const original = engine.store.connection(connectionId);
      if (!original) throw new Error(`no connection ${connectionId} in this session`);
      const messages = engine.store.messages(connectionId, 0, engine.store.messageCount(connectionId));
      const run = await replayConnection(engine.proxy, engine.liveSession, original, messages, { timing, speed, targetUrl, ...(source ? { source } : {}) });
      void run.done.then(
        (comparison) => engine.emit('event', { kind: 'replay-done', comparison }),
        (error: Error) => engine.emit('event', { kind: 'error', message: `replay of connection ${connectionId} failed: ${error.message}`, time: Date.now() }),
      );
      return { connectionId: run.connectionId };
    },
    listReplays: ({ connectionId }) => replayHistory(engine.store, connectionId),
    ...settingsCommands(options.settings),
    ...compareCommands(engine),
    ...rulesCommands(engine),
    ...sessionSearchCommands(engine),
    subscribe: (params, client) => ({ window: client.watch(liveView(engine, params), params.paced === true) ?? null }),
    // The control server answers it (the transport's pacing); here only for a client that is no socket.
    ackEvents: () => ({}),
    ...mockCommands(engine),
    ...protocolCommands(engine),
    ...launchCommands(engine),
    startCaptureImport: (params, client) => harJobs.startCaptureImport(params, client),
    writeCaptureImport: async ({ jobId, dataBase64 }) => {
      await harJobs.writeBytes(jobId, Buffer.from(dataBase64, 'base64'));
      return {};
    },
    startPcapngExport: (params, client) => harJobs.startPcapngExport(params, client),
    ...payloadCommands(engine),
  };

  return async (method, params, client) => {
    // Own commands only: a name like __proto__ or constructor is an unknown command, not a lookup.
    const handler = Object.hasOwn(handlers, method) ? handlers[method] as (p: unknown, c: typeof client) => unknown : undefined;
    if (!handler) throw new Error(`unknown command ${JSON.stringify(String(method).slice(0, 100))}`);
    return handler(params ?? {}, client);
  };
}

/** getSettings and setSettings; without kept settings (an engine in a test) they say so. */
function settingsCommands(settings: RuntimeSettings | undefined): Pick<Handlers, 'getSettings' | 'setSettings'> {
  const kept = () => {
    if (!settings) throw new Error('this engine keeps no settings (it was started without FRAMESCOPE_HOME\'s settings.json)');
    return settings;
  };
  return {
    getSettings: () => kept().state(),
    setSettings: ({ settings: patch }) => kept().update(patch),
  };
}

/** An API message to inject as an opcode and payload. */
function toOutgoing(message: InjectSpec): OutgoingMessage {
  const data = Buffer.from(message.dataBase64 ?? '', 'base64');
  switch (message.kind) {
    case 'text': return { opcode: Opcode.Text, data };
    case 'binary': return { opcode: Opcode.Binary, data };
    case 'ping': return { opcode: Opcode.Ping, data };
    case 'pong': return { opcode: Opcode.Pong, data };
    case 'close': return { opcode: Opcode.Close, data: encodeClosePayload(message.closeCode, message.closeReason) };
    default: throw new Error(`unknown message kind ${JSON.stringify((message as { kind: unknown }).kind)}`);
  }
}

/** A hand-crafted frame's exact bytes. */
export function rawFrameBytes(frame: RawFrameSpec): Buffer {
  if (!Number.isInteger(frame.opcode) || frame.opcode < 0 || frame.opcode > 15) throw new Error('opcode must be 0-15');
  if (frame.maskKey !== undefined && !/^[0-9a-fA-F]{8}$/.test(frame.maskKey)) throw new Error('maskKey must be 8 hex digits');
  return encodeFrameBytes({
    fin: frame.fin, rsv1: frame.rsv1, rsv2: frame.rsv2, rsv3: frame.rsv3, opcode: frame.opcode,
    mask: frame.mask ? (frame.maskKey ? Buffer.from(frame.maskKey, 'hex') : randomBytes(4)) : false,
    payload: Buffer.from(frame.payloadBase64, 'base64'),
    ...(frame.payloadLength !== undefined ? { payloadLength: rawLengthField(frame.payloadLength) } : {}),
    ...(frame.lengthForm !== undefined ? { lengthForm: frame.lengthForm } : {}),
  });
}

/** A hand-crafted length field: a whole number up to 2^64 − 1, as a JSON number or decimal digits. */
function rawLengthField(value: unknown): bigint {
  const length = lengthFromJson(value);
  if (length === undefined) throw new Error('payloadLength must be a whole number from 0 to 2^64 − 1 (a number, or a string of digits)');
  return exactLength(length);
}

/** The frame's header exactly as it was on the wire (it is determined by the recorded fields). */
function headerBytes(stored: StoredFrame): Buffer {
  const f = stored.frame;
  const [header] = encodeFrame({
    fin: f.fin, rsv1: f.rsv1, rsv2: f.rsv2, rsv3: f.rsv3, opcode: f.opcode,
    mask: f.masked ? f.maskKey : false,
    payload: Buffer.alloc(0),
    payloadLength: exactLength(f),
    lengthForm: f.lengthForm,
  });
  return header;
}
