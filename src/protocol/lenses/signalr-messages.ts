// SignalR hub messages (ASP.NET Core's HubProtocol.md): the same nine message kinds in the JSON protocol
// (objects with a numeric `type`) and the MessagePack protocol (arrays whose first item is the type).
// Each one read into the lens's terms: the type's name, invocationId, target, data and other fields.
import { toJsonSafe } from '../payload/json-safe.js';

export const SIGNALR_TYPES: Record<number, string> = {
  1: 'Invocation', 2: 'StreamItem', 3: 'Completion', 4: 'StreamInvocation', 5: 'CancelInvocation',
  6: 'Ping', 7: 'Close', 8: 'Ack', 9: 'Sequence',
};

export interface SignalrMessage {
  type: string;
  invocationId?: string;
  target?: string;
  /** Invocation arguments, a stream item, a completion's result or error, a close's error. */
  data?: unknown;
  /** A completion or close that carries an error. */
  error?: string;
  fields: Record<string, unknown>;
}

export class SignalrFormatError extends Error {}

function text(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new SignalrFormatError(`${what} is not a string`);
  return value;
}

function optionalText(value: unknown, what: string): string | undefined {
  return value === undefined || value === null ? undefined : text(value, what);
}

/** A JSON protocol message (HubProtocol.md §"JSON Encoding"). */
export function fromJson(value: unknown): SignalrMessage {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new SignalrFormatError('a message is not a JSON object');
  const m = value as Record<string, unknown>;
  const type = SIGNALR_TYPES[m.type as number];
  if (!type) throw new SignalrFormatError(`unknown message type ${JSON.stringify(m.type)}`);
  const out: SignalrMessage = { type, fields: { type: m.type } };
  const invocationId = optionalText(m.invocationId, 'invocationId');
  if (invocationId !== undefined) out.invocationId = invocationId;
  if (m.headers !== undefined) out.fields.headers = m.headers;
  switch (type) {
    case 'Invocation': case 'StreamInvocation':
      out.target = text(m.target, 'target');
      if (!Array.isArray(m.arguments)) throw new SignalrFormatError('arguments is not an array');
      out.data = m.arguments;
      if (m.streamIds !== undefined) out.fields.streamIds = m.streamIds;
      break;
    case 'StreamItem':
      out.data = m.item;
      break;
    case 'Completion':
      if (m.error !== undefined) {
        out.error = text(m.error, 'error');
        out.data = { error: out.error };
      } else if ('result' in m) {
        out.data = m.result;
      }
      break;
    case 'Close':
      if (m.error !== undefined && m.error !== null) out.error = text(m.error, 'error');
      if (out.error !== undefined) out.data = { error: out.error };
      if (m.allowReconnect !== undefined) out.fields.allowReconnect = m.allowReconnect;
      break;
    case 'Ack': case 'Sequence':
      out.fields.sequenceId = m.sequenceId;
      break;
  }
  return out;
}

/** A MessagePack protocol message (HubProtocol.md §"MessagePack (MsgPack) encoding"): an array. */
export function fromMessagePack(value: unknown): SignalrMessage {
  if (!Array.isArray(value) || value.length === 0) throw new SignalrFormatError('a message is not a MessagePack array');
  const kind = Number(value[0]);
  const type = SIGNALR_TYPES[kind];
  if (!type) throw new SignalrFormatError(`unknown message type ${JSON.stringify(toJsonSafe(value[0]))}`);
  const out: SignalrMessage = { type, fields: { type: kind } };
  const need = (n: number) => {
    if (value.length < n) throw new SignalrFormatError(`a ${type} message has ${value.length} items, needs ${n}`);
  };
  const headers = (at: number) => {
    const h = toJsonSafe(value[at]) as Record<string, unknown> | null;
    if (h && Object.keys(h).length > 0) out.fields.headers = h;
  };
  const id = (at: number) => {
    const v = optionalText(value[at], 'InvocationId');
    if (v !== undefined) out.invocationId = v;
  };
  switch (type) {
    case 'Invocation': case 'StreamInvocation':
      need(5);
      headers(1); id(2);
      out.target = text(value[3], 'Target');
      if (!Array.isArray(value[4])) throw new SignalrFormatError('Arguments is not an array');
      out.data = toJsonSafe(value[4]);
      if (value.length > 5 && Array.isArray(value[5]) && value[5].length > 0) out.fields.streamIds = toJsonSafe(value[5]);
      break;
    case 'StreamItem':
      need(4);
      headers(1); id(2);
      out.data = toJsonSafe(value[3]);
      break;
    case 'CancelInvocation':
      need(3);
      headers(1); id(2);
      break;
    case 'Completion': {
      need(4);
      headers(1); id(2);
      const resultKind = Number(value[3]);
      out.fields.resultKind = resultKind === 1 ? 'error' : resultKind === 2 ? 'void' : resultKind === 3 ? 'result' : resultKind;
      if (resultKind === 1) {
        out.error = text(value[4], 'the error');
        out.data = { error: out.error };
      } else if (resultKind === 3) {
        need(5);
        out.data = toJsonSafe(value[4]);
      }
      break;
    }
    case 'Close':
      if (value[1] !== undefined && value[1] !== null) {
        out.error = text(value[1], 'Error');
        out.data = { error: out.error };
      }
      if (value.length > 2) out.fields.allowReconnect = value[2];
      break;
    case 'Ack': case 'Sequence':
      need(2);
      out.fields.sequenceId = toJsonSafe(value[1]);
      break;
  }
  return out;
}
