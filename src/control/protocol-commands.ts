// The protocol lens commands: which lens reads a connection (and the user's choice, saved with the
// connection's mark), its messages as packets with their links, the Protocol column's lines, and the
// protocol filter. All of it decodes on read, through the engine's ProtocolViews.
import type { Engine } from '../engine.js';
import type { CaptureStore } from '../capture/capture-store.js';
import type { Annotation } from '../capture/annotations.js';
import { ProtocolViews, storeSource } from '../lenses/protocol-views.js';
import { isLensChoice } from '../protocol/lenses/lens-names.js';
import { packetMatches, parseProtocolFilter } from '../protocol/lenses/protocol-filter.js';
import { encodeSocketIoEmit } from '../protocol/lenses/socket-io-encoder.js';
import { encodeMqttPublish } from '../protocol/lenses/mqtt-encoder.js';
import { defaultLensRegistry } from '../protocol/lenses/registry.js';
import { lensConnectionOf } from '../protocol/lenses/lens-connection.js';
import type { ControlCommands, ProtocolHit, PacketPlace, ProtocolLensState, ProtocolMessageInfo } from './api-types.js';
import type { PacketPosition } from '../protocol/lenses/packet-linker.js';

type ProtocolHandlers = {
  [M in 'getProtocolLens' | 'setProtocolLens' | 'queryProtocol' | 'protocolForFrames' | 'filterProtocol' | 'encodeProtocolPacket']: (params: ControlCommands[M]['params']) => ControlCommands[M]['result'];
};

/** Messages decoded past a queried range, so that answers close behind their requests are linked. */
const LINK_LOOKAHEAD = 256;
/** Messages a filter call scans at most before it answers with where to go on. */
const FILTER_SLICE = 100_000;
const MAX_RANGE = 5000;

const views = new WeakMap<Engine, ProtocolViews>();

/** The engine's protocol views (one per engine, shared by every client and by rules). */
export function protocolViewsOf(engine: Engine): ProtocolViews {
  let v = views.get(engine);
  if (!v) views.set(engine, (v = new ProtocolViews()));
  return v;
}

function checkConnection(store: CaptureStore, connectionId: unknown): number {
  if (!Number.isInteger(connectionId) || !store.connection(connectionId as number)) throw new Error(`there is no connection ${String(connectionId)}`);
  return connectionId as number;
}

export function protocolCommands(engine: Engine): ProtocolHandlers {
  const protocol = protocolViewsOf(engine);
  const available = defaultLensRegistry().list().map((l) => l.name);
  const state = (store: CaptureStore, connectionId: number): ProtocolLensState => ({ connectionId, ...protocol.choice(store, connectionId), available });

  return {
    getProtocolLens: ({ connectionId }) => state(engine.store, checkConnection(engine.store, connectionId)),
    setProtocolLens: ({ connectionId, lens }) => {
      const store = engine.store;
      const id = checkConnection(store, connectionId);
      if (!isLensChoice(lens)) throw new Error('lens must be a lens name, "auto" or "none"');
      const mark: Annotation = store.annotations(id).find((a) => a.target === 'connection') ?? { connectionId: id, target: 'connection', number: 0, note: '', pinned: false, time: 0 };
      const { lens: _old, ...rest } = mark;
      const annotation: Annotation = { ...rest, time: Date.now(), ...(lens === 'auto' ? {} : { lens }) };
      store.putAnnotation(annotation);
      engine.emit('event', { kind: 'annotation', annotation });
      protocol.forget(store, id);
      return state(store, id);
    },
    queryProtocol: ({ connectionId, start, end }) => {
      const store = engine.store;
      const id = checkConnection(store, connectionId);
      const view = protocol.view(store, id);
      if (!view) return { messages: [] };
      const first = Math.max(0, Math.floor(start));
      const last = Math.min(Math.floor(end), first + MAX_RANGE, store.messageCount(id));
      view.ensure(storeSource(store, id), first, last + LINK_LOOKAHEAD);
      const messages: ProtocolMessageInfo[] = [];
      const lastFrame = (message: number) => store.messageFrameNumbers(id, message).at(-1);
      const place = (p: PacketPosition): PacketPlace => {
        const frame = lastFrame(p.message);
        return frame === undefined ? { ...p } : { ...p, frame };
      };
      for (let number = first; number < last; number++) {
        const result = view.result(number);
        if (!result) break;
        messages.push({
          number,
          packets: result.packets.map((packet, i) => {
            const links = view.linksOf({ message: number, packet: i });
            if (!links) return { ...packet };
            return {
              ...packet,
              ...(links.request ? { request: place(links.request) } : {}),
              ...(links.answers ? { answers: links.answers.map(place) } : {}),
              ...(links.moreAnswers ? { moreAnswers: links.moreAnswers } : {}),
              ...(links.latencyMs !== undefined ? { latencyMs: links.latencyMs } : {}),
              ...(links.unfollowed ? { unfollowed: true } : {}),
            };
          }),
          ...(result.pending ? { pending: true } : {}),
          ...(result.problems ? { problems: result.problems } : {}),
        });
      }
      return { lens: view.lens.name, messages };
    },
    protocolForFrames: ({ connectionId, frames }) => {
      const store = engine.store;
      const id = checkConnection(store, connectionId);
      const view = protocol.view(store, id);
      if (!view || !Array.isArray(frames)) return { frames: [] };
      const wanted = frames.filter((n) => Number.isInteger(n) && n >= 0).slice(0, MAX_RANGE)
        .map((frame) => ({ frame, message: store.messageNumberEndingAt(id, frame) }))
        .filter((f): f is { frame: number; message: number } => f.message !== undefined);
      if (wanted.length === 0) return { frames: [] };
      const low = Math.min(...wanted.map((f) => f.message));
      const high = Math.max(...wanted.map((f) => f.message));
      view.ensure(storeSource(store, id), low, high + 1);
      const out: ControlCommands['protocolForFrames']['result']['frames'] = [];
      for (const { frame, message } of wanted) {
        const result = view.result(message);
        if (!result) continue;
        const summary = result.pending ? '(continued in a later message)' : result.packets.map((p) => p.summary).join(' · ');
        const role = result.packets.find((p) => p.link)?.link?.role;
        out.push({ frame, message, summary, ...(role ? { link: role } : {}) });
      }
      return { frames: out };
    },
    filterProtocol: ({ connectionId, filter, from, limit }) => {
      const store = engine.store;
      const id = checkConnection(store, connectionId);
      const parsed = parseProtocolFilter(typeof filter === 'string' ? filter : '');
      if (!parsed.ok) throw new Error(parsed.error);
      const total = store.messageCount(id);
      const view = protocol.view(store, id);
      if (!view) return { numbers: [], hits: [], total };
      const max = Math.max(1, Math.min(limit ?? 500, 5000));
      const numbers: number[] = [];
      const hits: ProtocolHit[] = [];
      const source = storeSource(store, id);
      let number = Math.max(0, Math.floor(from ?? 0));
      const stop = Math.min(total, number + FILTER_SLICE);
      const STEP = 1024;
      while (number < stop && numbers.length < max) {
        const end = Math.min(stop, number + STEP);
        view.ensure(source, number, end);
        for (; number < end && numbers.length < max; number++) {
          const packets = view.packets(number);
          const matched = packets.filter((p) => packetMatches(parsed.terms, p));
          if (matched.length === 0) continue;
          numbers.push(number);
          const frame = store.messageFrameNumbers(id, number).at(-1);
          hits.push({ message: number, ...(frame !== undefined ? { frame } : {}), summary: matched.map((p) => p.summary).join(' · ') });
        }
      }
      return { numbers, hits, total, ...(number < total ? { next: number } : {}) };
    },
    encodeProtocolPacket: ({ connectionId, packet }) => {
      const store = engine.store;
      const id = checkConnection(store, connectionId);
      let opcode: 1 | 2;
      let data: Uint8Array;
      if (packet?.kind === 'socket.io-emit') {
        if (typeof packet.event !== 'string' || packet.event === '') throw new Error('a Socket.IO emit names its event');
        if (!Array.isArray(packet.args)) throw new Error('a Socket.IO emit\'s args are an array');
        opcode = 1;
        data = new TextEncoder().encode(encodeSocketIoEmit(packet));
      } else if (packet?.kind === 'mqtt-publish') {
        if (typeof packet.topic !== 'string' || packet.topic === '') throw new Error('an MQTT publish names its topic');
        const version = mqttVersionOf(store, id);
        opcode = 2;
        data = encodeMqttPublish({ topic: packet.topic, payload: String(packet.payload ?? ''), qos: packet.qos ?? 0, retain: packet.retain === true, ...(packet.packetId !== undefined ? { packetId: packet.packetId } : {}), version });
      } else throw new Error('packet.kind must be "socket.io-emit" or "mqtt-publish"');
      // Read back with a fresh decoder of the packet's lens, so the composer shows what it wrote.
      const lens = defaultLensRegistry().get(packet.kind === 'mqtt-publish' ? 'mqtt' : 'socket.io');
      const record = store.connection(id)!;
      const read = lens?.decoder(lensConnectionOf(record.request.target, record.request.rawHeaders, record.protocol)).decode({ direction: 'send', opcode, data });
      return { opcode, dataBase64: Buffer.from(data).toString('base64'), summary: read?.packets.map((p) => p.summary).join(' · ') ?? '' };
    },
  };
}

/** The MQTT protocol level of a connection, from its CONNECT (the first client message): 5, else 4. */
function mqttVersionOf(store: CaptureStore, connectionId: number): number {
  const first = store.messages(connectionId, 0, 4).find((m) => m.direction === 'send' && m.message.opcode === 2);
  const data = first?.message.data;
  // CONNECT: fixed header, remaining length, "MQTT" (2+4 bytes), then the level.
  if (!data || data[0] !== 0x10) return 4;
  let i = 1;
  while (i < data.length && (data[i]! & 0x80) !== 0) i++;
  return data[i + 7] === 5 ? 5 : 4;
}
