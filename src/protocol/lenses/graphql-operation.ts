// The operation name of a GraphQL request: the one the client gave, else the name of the document's
// first operation (`subscription OnChat { ... }`), read past comments and an anonymous `{ ... }`.
import { isPlainObject } from './lens-bytes.js';

export function operationNameOf(payload: unknown): string | undefined {
  if (!isPlainObject(payload)) return undefined;
  if (typeof payload['operationName'] === 'string' && payload['operationName'] !== '') return payload['operationName'];
  if (typeof payload['query'] !== 'string') return undefined;
  const source = payload['query'].replace(/#[^\n\r]*/g, ' ');
  return /(?:^|[\s,}])(?:query|mutation|subscription)\s+([_A-Za-z][_0-9A-Za-z]*)/.exec(source)?.[1];
}
