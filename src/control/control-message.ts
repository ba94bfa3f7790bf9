// One control API message as the server reads it: JSON text with a numeric id, a command name and
// parameters. Anything else is a problem to answer, never a throw: not JSON, not an object, a name
// that is no string, parameters that are no object. Whether the name is a command is the command
// handler's to say (it answers prototype keys such as __proto__ as unknown commands).
import type { ControlMethod } from './api-types.js';

export type ReadControlMessage =
  | { id: number; method: ControlMethod; params: unknown }
  /** id when the message carried a usable one: the problem is answered by id, else as an error event. */
  | { problem: string; id?: number };

export function readControlMessage(data: Buffer | Buffer[] | ArrayBuffer, isBinary: boolean): ReadControlMessage {
  if (isBinary) return { problem: 'messages are JSON text, not binary' };
  const text = Buffer.isBuffer(data) ? data.toString('utf8') : Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data).toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return { problem: `the message is not JSON (${(error as Error).message})` };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { problem: 'a message is a JSON object {id, method, params}' };
  const message = parsed as Record<string, unknown>;
  const id = message.id;
  if (typeof id !== 'number' || !Number.isSafeInteger(id)) return { problem: 'a request needs a whole-number "id"' };
  const method = message.method;
  if (typeof method !== 'string') return { problem: 'a request needs a "method" naming a command', id };
  const params = message.params ?? {};
  if (typeof params !== 'object' || Array.isArray(params)) return { problem: `"params" of ${method} must be an object`, id };
  return { id, method: method as ControlMethod, params };
}
