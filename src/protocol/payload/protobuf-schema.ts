// Protobuf with the user's .proto text (protobufjs): the message types it declares, and a payload
// decoded as one of them. Longs become decimal strings and enums their names, so the value is JSON-safe
// apart from bytes, which stay bytes for the tree (toJsonSafe makes them `{ _binary }`).
import protobuf from 'protobufjs';

export interface ProtoSchema {
  root: protobuf.Root;
  /** Every message type's full name, without the leading dot, in declaration order. */
  types: string[];
}

/** Parses .proto files' text (several files may be given as one text, or as a list). Throws with protobufjs's message. */
export function parseProtoSchema(texts: string | string[]): ProtoSchema {
  const root = new protobuf.Root();
  for (const text of Array.isArray(texts) ? texts : [texts]) protobuf.parse(text, root, { keepCase: true });
  root.resolveAll();
  const types: string[] = [];
  const walk = (ns: protobuf.NamespaceBase) => {
    for (const nested of ns.nestedArray) {
      if (nested instanceof protobuf.Type) types.push(nested.fullName.replace(/^\./, ''));
      if (nested instanceof protobuf.Namespace || nested instanceof protobuf.Type) walk(nested);
    }
  };
  walk(root);
  return { root, types };
}

/** Decodes bytes as the named message type; throws when they are not one. */
export function decodeWithSchema(schema: ProtoSchema, typeName: string, bytes: Uint8Array): Record<string, unknown> {
  const type = schema.root.lookupType(typeName);
  const message = type.decode(bytes);
  return type.toObject(message, { longs: String, enums: String, defaults: false, arrays: false, objects: false, oneofs: true }) as Record<string, unknown>;
}
