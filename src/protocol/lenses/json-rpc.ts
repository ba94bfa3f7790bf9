// JSON-RPC 2.0 (https://www.jsonrpc.org/specification): requests, notifications, responses, errors
// and batches (an array of them in one message, answered by an array). A response is linked to its
// request by id, and carries the request's method.
import type { Lens, LensConnection, LensDecoder, LensMessage, LensResult, ProtocolPacket } from './lens.js';
import { speaksSubprotocol } from './lens-connection.js';
import { headText, isPlainObject, jsonMessage, shortValue, startsWithJson } from './lens-bytes.js';

type Direction = LensMessage['direction'];
const other = (direction: Direction): Direction => (direction === 'send' ? 'receive' : 'send');
const validId = (id: unknown): id is string | number | null => typeof id === 'string' || typeof id === 'number' || id === null;

class JsonRpcDecoder implements LensDecoder {
  /** The methods of requests still waiting, by `direction:id`. */
  private readonly methods = new Map<string, string>();

  decode(message: LensMessage): LensResult {
    const json = jsonMessage(message, 'JSON-RPC');
    if (!json.ok) return { packets: [], problems: [json.problem] };
    const items = Array.isArray(json.value) ? json.value : [json.value];
    if (items.length === 0) return { packets: [], problems: ['an empty JSON-RPC batch'] };
    const packets: ProtocolPacket[] = [];
    const problems: string[] = [];
    items.forEach((item, i) => {
      const where = Array.isArray(json.value) ? `batch item ${i}: ` : '';
      const packet = this.packetOf(item, message.direction);
      if (typeof packet === 'string') problems.push(where + packet);
      else packets.push(packet);
    });
    return { packets, ...(problems.length ? { problems } : {}) };
  }

  private packetOf(item: unknown, direction: Direction): ProtocolPacket | string {
    if (!isPlainObject(item)) return 'a JSON-RPC message is an object';
    if (item['jsonrpc'] !== '2.0') return 'a JSON-RPC 2.0 message has "jsonrpc": "2.0"';
    const hasId = 'id' in item;
    const rawId = item['id'];
    if (hasId && !validId(rawId)) return 'a JSON-RPC id is a string, a number or null';
    const id = rawId as string | number | null | undefined;
    if (typeof item['method'] === 'string') {
      const method = item['method'];
      const data = item['params'];
      if (!hasId) return { name: 'json-rpc', type: 'notification', summary: `notification ${method}`, event: method, ...(data !== undefined ? { data } : {}) };
      const key = `${direction}:${JSON.stringify(id)}`;
      this.methods.set(key, method);
      return {
        name: 'json-rpc', type: 'request', summary: `request ${method} #${String(id)}`, event: method, ...(id !== null ? { id } : {}),
        ...(data !== undefined ? { data } : {}), link: { role: 'request', key: `rpc:${key}` },
      };
    }
    const isError = 'error' in item;
    if (!isError && !('result' in item)) return 'a JSON-RPC message has a method, a result or an error';
    if (!hasId) return 'a JSON-RPC response has an id';
    // The answer's id names a request that came the other way.
    const key = `${other(direction)}:${JSON.stringify(id)}`;
    const method = this.methods.get(key);
    this.methods.delete(key);
    const error = item['error'];
    const why = isPlainObject(error) ? `${String(error['code'])} ${shortValue(error['message'])}` : shortValue(error);
    return {
      name: 'json-rpc', type: isError ? 'error' : 'response',
      summary: `${isError ? 'error' : 'response'}${method ? ` ${method}` : ''} #${String(id)}${isError ? ` ${why}` : ''}`,
      ...(method ? { event: method } : {}), ...(id !== null ? { id } : {}),
      data: isError ? error : item['result'],
      ...(id !== null ? { link: { role: 'answer' as const, key: `rpc:${key}`, final: true } } : {}),
    };
  }
}

export const jsonRpcLens: Lens = {
  name: 'json-rpc',
  detect(connection: LensConnection, first: readonly LensMessage[]): number {
    if (speaksSubprotocol(connection, 'jsonrpc', 'json-rpc', 'jsonrpc-2.0', 'json-rpc-2.0') === 'chosen') return 1;
    const looks = first.filter((m) => startsWithJson(m, '{', '[') && /"jsonrpc"\s*:\s*"2\.0"/.test(headText(m.data)));
    return looks.length > 0 ? 0.8 : 0;
  },
  decoder(): LensDecoder {
    return new JsonRpcDecoder();
  },
};
