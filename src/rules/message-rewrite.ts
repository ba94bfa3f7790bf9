// What message actions make: a rewritten payload (regex replace, JSON merge patch per RFC 7396, JSON
// patch per RFC 6902, or a new payload) and a reply templated from the matched message. Pure: bytes
// in, bytes out; a rewrite that cannot apply (a JSON patch on a message that is not JSON) throws.
import { parseJsonPath, valueAt } from './json-path.js';
import type { JsonPatchOp, RewriteSpec } from './rule-types.js';
import type { MatchedMessage } from './rule-matcher.js';

export interface Payload {
  opcode: 1 | 2;
  data: Buffer;
}

export function rewritePayload(message: MatchedMessage, spec: RewriteSpec): Payload {
  const opcode = message.opcode === 2 ? 2 : 1;
  if ('payload' in spec) return { opcode, data: spec.base64 ? Buffer.from(spec.payload, 'base64') : Buffer.from(spec.payload, 'utf8') };
  if ('regex' in spec) {
    if (!message.hasText) throw new Error('the message is binary data that is not text (UTF-8)');
    const re = new RegExp(spec.regex, spec.flags ?? 'g');
    return { opcode, data: Buffer.from(message.text.replace(re, spec.replace), 'utf8') };
  }
  const json = message.json;
  if (json === undefined) throw new Error('the message is not JSON');
  const patched = 'mergePatch' in spec ? mergePatch(json, spec.mergePatch) : jsonPatch(json, spec.jsonPatch);
  return { opcode, data: Buffer.from(JSON.stringify(patched), 'utf8') };
}

/** RFC 7396: objects merge, null removes, anything else replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> = target !== null && typeof target === 'object' && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [key, value] of Object.entries(patch as Record<string, unknown>)) {
    if (value === null) delete out[key];
    else out[key] = mergePatch(out[key], value);
  }
  return out;
}

/** RFC 6902 on a copy of the document. */
export function jsonPatch(document: unknown, ops: JsonPatchOp[]): unknown {
  let doc = structuredClone(document);
  for (const op of ops) {
    const path = parsePointer(op.path);
    switch (op.op) {
      case 'add': doc = put(doc, path, structuredClone(op.value), 'add'); break;
      case 'replace': doc = put(doc, path, structuredClone(op.value), 'replace'); break;
      case 'remove': doc = remove(doc, path); break;
      case 'move': { const from = parsePointer(op.from ?? ''); const v = get(doc, from); doc = put(remove(doc, from), path, v, 'add'); break; }
      case 'copy': doc = put(doc, path, structuredClone(get(doc, parsePointer(op.from ?? ''))), 'add'); break;
      case 'test': if (JSON.stringify(get(doc, path)) !== JSON.stringify(op.value)) throw new Error(`test failed at ${op.path}`); break;
    }
  }
  return doc;
}

/** RFC 6901 pointer: "" is the whole document, "/a/0/b~1c" steps through. */
export function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new Error(`a JSON pointer starts with /: "${pointer}"`);
  return pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function get(doc: unknown, path: string[]): unknown {
  let v = doc;
  for (const key of path) {
    if (v === null || typeof v !== 'object' || !Object.prototype.hasOwnProperty.call(v, key)) throw new Error(`no value at /${path.join('/')}`);
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

function put(doc: unknown, path: string[], value: unknown, mode: 'add' | 'replace'): unknown {
  if (path.length === 0) return value;
  const parent = get(doc, path.slice(0, -1));
  const key = path[path.length - 1]!;
  if (Array.isArray(parent)) {
    const index = key === '-' ? parent.length : Number(key);
    if (!Number.isInteger(index) || index < 0 || index > parent.length || (mode === 'replace' && index >= parent.length)) throw new Error(`bad array index ${key}`);
    if (mode === 'add') parent.splice(index, 0, value);
    else parent[index] = value;
  } else if (parent !== null && typeof parent === 'object') {
    if (mode === 'replace' && !Object.prototype.hasOwnProperty.call(parent, key)) throw new Error(`no value at /${path.join('/')}`);
    (parent as Record<string, unknown>)[key] = value;
  } else {
    throw new Error(`no container at /${path.slice(0, -1).join('/')}`);
  }
  return doc;
}

function remove(doc: unknown, path: string[]): unknown {
  if (path.length === 0) return undefined;
  const parent = get(doc, path.slice(0, -1));
  const key = path[path.length - 1]!;
  get(doc, path);
  if (Array.isArray(parent)) parent.splice(Number(key), 1);
  else delete (parent as Record<string, unknown>)[key];
  return doc;
}

/**
 * A reply from a template: {{text}} is the matched message's text, {{base64}} its bytes in base64,
 * {{json.path}} a value of its JSON ($.path): strings as they are, other values as JSON. A missing
 * value becomes null in JSON terms ("null").
 */
export function fillTemplate(template: string, message: MatchedMessage): string {
  return template.replace(/\{\{\s*([^}]*?)\s*\}\}/g, (_all, name: string) => {
    if (name === 'text') return message.text;
    if (name === 'base64') return message.data.toString('base64');
    if (name === 'json' || name.startsWith('json.') || name.startsWith('json[')) {
      let value: unknown;
      try {
        value = valueAt(message.json, parseJsonPath(`$${name.slice(4)}`));
      } catch {
        value = undefined;
      }
      if (value === undefined) return 'null';
      return typeof value === 'string' ? value : JSON.stringify(value);
    }
    return _all;
  });
}
