// The Decode tab's per-connection choices: the encoding a connection's payloads are read as and, for
// protobuf, the user's .proto text and message type. Kept in memory for the session being browsed
// (every UI sees the same choice); the payloads themselves are decoded in the UI, sans-IO.
import type { Engine } from '../engine.js';
import type { CaptureStore } from '../capture/capture-store.js';
import { PAYLOAD_FORMATS } from '../protocol/payload/payload-decode.js';
import { parseProtoSchema } from '../protocol/payload/protobuf-schema.js';
import type { ControlCommands, PayloadDecodingState, PayloadProtoChoice } from './api-types.js';

type PayloadHandlers = {
  [M in 'getPayloadDecoding' | 'setPayloadDecoding']: (params: ControlCommands[M]['params']) => ControlCommands[M]['result'];
};

/** A .proto text past this size is refused: it is typed or loaded by hand, and every UI is sent it. */
export const MAX_PROTO_TEXT = 1024 * 1024;

const choices = new WeakMap<CaptureStore, Map<number, PayloadDecodingState>>();

function checkConnection(store: CaptureStore, connectionId: unknown): number {
  if (!Number.isInteger(connectionId) || !store.connection(connectionId as number)) throw new Error(`there is no connection ${String(connectionId)}`);
  return connectionId as number;
}

function checkProto(proto: unknown): { proto: PayloadProtoChoice; types: string[] } {
  const p = proto as PayloadProtoChoice | undefined;
  if (typeof p !== 'object' || p === null || typeof p.text !== 'string' || typeof p.messageType !== 'string') throw new Error('proto must be {text, messageType} or null');
  if (p.text.length > MAX_PROTO_TEXT) throw new Error(`the .proto text is over ${MAX_PROTO_TEXT} characters`);
  let types: string[];
  try {
    types = parseProtoSchema(p.text).types;
  } catch (error) {
    throw new Error(`the .proto text does not parse: ${(error as Error).message}`);
  }
  if (!types.includes(p.messageType)) throw new Error(`the .proto text declares no message ${JSON.stringify(p.messageType)} (it declares ${types.join(', ') || 'none'})`);
  return { proto: { text: p.text, messageType: p.messageType }, types };
}

export function payloadCommands(engine: Engine): PayloadHandlers {
  const of = (store: CaptureStore) => {
    let map = choices.get(store);
    if (!map) choices.set(store, (map = new Map()));
    return map;
  };
  return {
    getPayloadDecoding: ({ connectionId }) => {
      const id = checkConnection(engine.store, connectionId);
      return of(engine.store).get(id) ?? { connectionId: id, decodeAs: 'auto' };
    },
    setPayloadDecoding: ({ connectionId, decodeAs, proto }) => {
      const store = engine.store;
      const id = checkConnection(store, connectionId);
      const state: PayloadDecodingState = { ...(of(store).get(id) ?? { connectionId: id, decodeAs: 'auto' }) };
      if (decodeAs !== undefined) {
        if (decodeAs !== 'auto' && !(PAYLOAD_FORMATS as readonly string[]).includes(decodeAs)) throw new Error('decodeAs must be auto, json, msgpack, cbor or protobuf');
        state.decodeAs = decodeAs;
      }
      if (proto === null) {
        delete state.proto;
        delete state.protoTypes;
      } else if (proto !== undefined) {
        const checked = checkProto(proto);
        state.proto = checked.proto;
        state.protoTypes = checked.types;
      }
      of(store).set(id, state);
      return state;
    },
  };
}
