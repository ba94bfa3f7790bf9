import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { encode as msgpackEncode } from '@msgpack/msgpack';
import { encode as cborEncode, Tag } from 'cbor-x';
import protobuf from 'protobufjs';
import { decodePayload, decodeProtobuf } from '../../../src/protocol/payload/payload-decode.js';
import { toJsonSafe } from '../../../src/protocol/payload/json-safe.js';
import { parseProtoSchema } from '../../../src/protocol/payload/protobuf-schema.js';
import { isPrintable } from '../../../src/protocol/payload/protobuf-raw.js';

const bytes = (text: string) => new TextEncoder().encode(text);

/** Values all three encodings carry: JSON values plus bytes and integers past 2^53. */
const value = fc.letrec((tie) => ({
  any: fc.oneof({ depthSize: 'small' }, tie('leaf'), tie('list'), tie('record')),
  leaf: fc.oneof(
    fc.string(), fc.boolean(), fc.constant(null), fc.integer({ min: -(2 ** 31), max: 2 ** 32 }), // MessagePack writes -0 as the integer 0.
    fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => (Object.is(d, -0) ? 0 : d)),
    fc.uint8Array({ maxLength: 20 }), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).filter((b) => b > 2n ** 53n || b < -(2n ** 53n)),
  ),
  list: fc.array(tie('any'), { maxLength: 5 }),
  record: fc.dictionary(fc.string().filter((k) => k !== '__proto__'), tie('any'), { maxKeys: 5 }),
}));

describe('payload decoders', () => {
  it('read JSON as a value, pretty text and a tree', () => {
    const decoded = decodePayload(bytes('{"a":[1,2.5,"x",true,null],"b":{}}'), 'json');
    expect(decoded).toEqual({
      ok: true, format: 'json', value: { a: [1, 2.5, 'x', true, null], b: {} },
      pretty: '{\n  "a": [\n    1,\n    2.5,\n    "x",\n    true,\n    null\n  ],\n  "b": {}\n}',
      tree: {
        type: 'object', children: [
          { key: 'a', type: 'array', children: [
            { key: '[0]', type: 'int', value: '1' }, { key: '[1]', type: 'float', value: '2.5' }, { key: '[2]', type: 'string', value: 'x' },
            { key: '[3]', type: 'bool', value: 'true' }, { key: '[4]', type: 'null', value: 'null' },
          ] },
          { key: 'b', type: 'object', children: [] },
        ],
      },
    });
    expect(decodePayload(bytes('{"a":'), 'json')).toMatchObject({ ok: false, format: 'json' });
    expect(decodePayload(Uint8Array.of(0xff), 'json')).toEqual({ ok: false, format: 'json', error: 'not UTF-8 text' });
  });

  it('read MessagePack as @msgpack/msgpack wrote it, for any value', () => {
    fc.assert(fc.property(value.any, (v) => {
      const decoded = decodePayload(msgpackEncode(v, { useBigInt64: true }), 'msgpack');
      expect(decoded).toMatchObject({ ok: true, format: 'msgpack', value: toJsonSafe(v) });
    }), { numRuns: 300 });
  });

  it('read CBOR as cbor-x wrote it, for any value', () => {
    fc.assert(fc.property(value.any, (v) => {
      const decoded = decodePayload(cborEncode(v), 'cbor');
      expect(decoded).toMatchObject({ ok: true, format: 'cbor', value: toJsonSafe(v) });
    }), { numRuns: 300 });
  });

  it('show MessagePack and CBOR types in the tree: maps with non-string keys, bytes, tags, extensions, timestamps', () => {
    const cbor = decodePayload(cborEncode(new Map<unknown, unknown>([[1, Uint8Array.of(0xab)], ['t', new Tag('x', 42)]])), 'cbor');
    expect(cbor.ok && cbor.tree).toEqual({
      type: 'map', children: [{ key: '1', type: 'bytes', value: 'ab' }, { key: 't', type: 'tag 42', children: [{ type: 'string', value: 'x' }] }],
    });
    const pack = decodePayload(msgpackEncode([new Date(Date.UTC(2026, 0, 2)), 2n ** 60n], { useBigInt64: true }), 'msgpack');
    expect(pack.ok && pack.tree).toEqual({
      type: 'array', children: [{ key: '[0]', type: 'date', value: '2026-01-02T00:00:00.000Z' }, { key: '[1]', type: 'int', value: '1152921504606846976' }],
    });
    expect(pack.ok && pack.value).toEqual(['2026-01-02T00:00:00.000Z', '1152921504606846976']);
    const two = decodePayload(new Uint8Array([...msgpackEncode(1), ...msgpackEncode('a')]), 'msgpack');
    expect(two).toMatchObject({ ok: true, value: [1, 'a'], note: '2 values in sequence' });
    expect(decodePayload(Uint8Array.of(0xc1), 'msgpack')).toMatchObject({ ok: false, format: 'msgpack' });
  });

  it('read protobuf without a schema: field numbers, wire types, nested messages, packed repeated fields', () => {
    const root = protobuf.parse(`
      syntax = "proto3";
      message Inner { string name = 1; sint32 delta = 2; }
      message Outer {
        uint64 id = 1; Inner inner = 2; repeated int32 values = 3; bytes blob = 4; double ratio = 5; fixed32 code = 6; repeated string tags = 7;
      }`).root;
    const Outer = root.lookupType('Outer');
    const encoded = Outer.encode(Outer.fromObject({
      id: '18446744073709551615', inner: { name: 'n', delta: -3 }, values: [1, 150, 3], blob: Uint8Array.of(0, 0xff), ratio: 1.5, code: 7, tags: ['a', 'b'],
    })).finish();
    const decoded = decodeProtobuf(encoded);
    expect(decoded).toMatchObject({
      ok: true, format: 'protobuf',
      value: { 1: '18446744073709551615', 2: { 1: 'n', 2: 5 }, 3: [1, 150, 3], 4: { _binary: 'AP8=' }, 5: '4609434218613702656', 6: 7, 7: ['a', 'b'] },
    });
    expect(decoded.ok && decoded.tree.children!.slice(0, 2)).toEqual([
      { key: '#1', type: 'varint', value: '18446744073709551615', note: 'sint -9223372036854775808, int64 -1' },
      { key: '#2', type: 'message', children: [{ key: '#1', type: 'string', value: 'n' }, { key: '#2', type: 'varint', value: '5', note: 'sint -3' }] },
    ]);
    expect(decoded.ok && decoded.tree.children![4]).toEqual({ key: '#5', type: 'fixed64', value: '4609434218613702656', note: 'double 1.5, sfixed64 4609434218613702656' });
    expect(decoded.ok && decoded.tree.children![2]).toEqual({ key: '#3', type: 'packed varint', children: [
      { key: '[0]', type: 'varint', value: '1' }, { key: '[1]', type: 'varint', value: '150' }, { key: '[2]', type: 'varint', value: '3' },
    ] });
    expect(decodeProtobuf(Uint8Array.of(0x0a, 0x05, 0x01))).toEqual({ ok: false, format: 'protobuf', error: 'field 1 claims 5 bytes, 1 left' });
    expect(decodeProtobuf(Uint8Array.of(0x0f))).toEqual({ ok: false, format: 'protobuf', error: 'wire type 7 does not exist' });
  });

  it('read protobuf without a schema as protobufjs wrote it, for any scalar fields', () => {
    const root = protobuf.parse(`syntax = "proto3"; message M { uint64 a = 1; string b = 2; fixed32 c = 3; sint64 d = 4; bytes e = 5; }`).root;
    const M = root.lookupType('M');
    fc.assert(fc.property(
      fc.bigInt({ min: 1n, max: 2n ** 64n - 1n }), fc.string({ minLength: 1 }).filter(isPrintable),
      fc.integer({ min: 1, max: 2 ** 32 - 1 }), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).filter((d) => d !== 0n), fc.uint8Array({ minLength: 1, maxLength: 8 }),
      (a, b, c, d, e) => {
        const encoded = M.encode(M.fromObject({ a: a.toString(), b, c, d: d.toString(), e })).finish();
        const decoded = decodeProtobuf(encoded);
        expect(decoded.ok).toBe(true);
        if (!decoded.ok) return;
        const fields = decoded.tree.children!;
        expect(fields.map((f) => [f.key, f.type]).slice(0, 4)).toEqual([['#1', 'varint'], ['#2', 'string'], ['#3', 'fixed32'], ['#4', 'varint']]);
        expect(fields[0]!.value).toBe(a.toString());
        expect(fields[2]!.value).toBe(String(c));
        expect(fields[3]!.note!.split(',')[0]).toBe(`sint ${d}`);
        // Printable text reads back as the string; bytes as whatever guess fits, never past their field.
        expect(fields[1]).toEqual({ key: '#2', type: 'string', value: b });
        expect(fields[4]!.key).toBe('#5');
        expect(fields).toHaveLength(5);
      },
    ), { numRuns: 300 });
  });

  it('read protobuf with the user\'s .proto as protobufjs decodes it', () => {
    const schema = parseProtoSchema(`
      syntax = "proto3";
      package chat;
      enum Kind { TEXT = 0; IMAGE = 1; }
      message Message { string text = 1; int64 at = 2; Kind kind = 3; repeated Attachment files = 4; }
      message Attachment { string name = 1; bytes data = 2; }`);
    expect(schema.types).toEqual(['chat.Message', 'chat.Attachment']);
    const Message = schema.root.lookupType('chat.Message');
    fc.assert(fc.property(fc.string(), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), fc.constantFrom('TEXT', 'IMAGE'), fc.array(fc.record({ name: fc.string(), data: fc.uint8Array({ maxLength: 6 }) }), { maxLength: 3 }),
      (text, at, kind, files) => {
        const encoded = Message.encode(Message.fromObject({ text, at: at.toString(), kind, files })).finish();
        const decoded = decodePayload(encoded, 'protobuf', { schema: { schema, type: 'chat.Message' } });
        const expected = toJsonSafe(Message.toObject(Message.decode(encoded), { longs: String, enums: String, defaults: false }));
        expect(decoded).toMatchObject({ ok: true, format: 'protobuf', value: expected, note: 'as chat.Message' });
      }), { numRuns: 200 });
    expect(() => parseProtoSchema('message {')).toThrow();
    expect(decodePayload(Uint8Array.of(0x0a, 0x09), 'protobuf', { schema: { schema, type: 'chat.Message' } })).toMatchObject({ ok: false, format: 'protobuf' });
  });

  it('read every scalar type, enums, maps, packed and unpacked repeated fields as protobufjs does', () => {
    const schema = parseProtoSchema(`
      syntax = "proto3";
      enum Color { RED = 0; GREEN = 1; BLUE = 2; }
      message Leaf { string s = 1; }
      message All {
        int32 i32 = 1; int64 i64 = 2; uint32 u32 = 3; uint64 u64 = 4; sint32 s32 = 5; sint64 s64 = 6;
        fixed32 f32 = 7; fixed64 f64 = 8; sfixed32 sf32 = 9; sfixed64 sf64 = 10; float fl = 11; double db = 12;
        bool b = 13; string str = 14; bytes by = 15; Color color = 16; Leaf leaf = 17;
        repeated int32 packed = 18; repeated sint64 packed64 = 19 [packed = true]; repeated string strs = 20; repeated Leaf leaves = 21;
        map<string, int32> counts = 22; map<int64, Leaf> byId = 23; repeated Color colors = 24; repeated double doubles = 25 [packed = false];
      }`);
    const All = schema.root.lookupType('All');
    const int64 = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(String);
    const uint64 = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map(String);
    const int32 = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
    const uint32 = fc.integer({ min: 0, max: 2 ** 32 - 1 });
    const color = fc.constantFrom('RED', 'GREEN', 'BLUE');
    const leaf = fc.record({ s: fc.string() });
    const all = fc.record({
      i32: int32, i64: int64, u32: uint32, u64: uint64, s32: int32, s64: int64, f32: uint32, f64: uint64, sf32: int32, sf64: int64,
      fl: fc.float({ noNaN: true }), db: fc.double({ noNaN: true }), b: fc.boolean(), str: fc.string(), by: fc.uint8Array({ maxLength: 5 }), color, leaf,
      packed: fc.array(int32, { maxLength: 4 }), packed64: fc.array(int64, { maxLength: 4 }), strs: fc.array(fc.string(), { maxLength: 3 }),
      leaves: fc.array(leaf, { maxLength: 3 }), counts: fc.dictionary(fc.string().filter((k) => k !== '__proto__'), int32, { maxKeys: 3 }),
      byId: fc.dictionary(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(String), leaf, { maxKeys: 3 }),
      colors: fc.array(color, { maxLength: 3 }), doubles: fc.array(fc.double({ noNaN: true }), { maxLength: 3 }),
    }, { requiredKeys: [] });
    fc.assert(fc.property(all, (object) => {
      const encoded = All.encode(All.fromObject(object)).finish();
      const decoded = decodePayload(encoded, 'protobuf', { schema: { schema, type: 'All' } });
      const expected = toJsonSafe(All.toObject(All.decode(encoded), { longs: String, enums: String, defaults: false }));
      expect(decoded).toMatchObject({ ok: true, value: expected });
      expect(decoded.ok && decoded.value).toEqual(expected);
    }), { numRuns: 300 });
  });

  it('keep fields the schema does not know, and refuse a field that came with the wrong wire type', () => {
    const schema = parseProtoSchema('syntax = "proto3"; message A { string name = 1; }');
    expect(decodePayload(Uint8Array.of(0x0a, 0x01, 0x61, 0x10, 0x07), 'protobuf', { schema: { schema, type: 'A' } })).toMatchObject({ ok: true, value: { name: 'a', '#2': 7 } });
    expect(decodePayload(Uint8Array.of(0x08, 0x01), 'protobuf', { schema: { schema, type: 'A' } })).toEqual({ ok: false, format: 'protobuf', error: 'field name (#1) came with wire type 0, expected 2' });
  });

  it('pick the encoding automatically: JSON text, then MessagePack, CBOR, protobuf for binary', () => {
    expect(decodePayload(bytes('[1,2]'), 'auto')).toMatchObject({ ok: true, format: 'json' });
    expect(decodePayload(msgpackEncode({ a: 1 }), 'auto')).toMatchObject({ ok: true, format: 'msgpack', value: { a: 1 } });
    expect(decodePayload(cborEncode({ a: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25] }), 'auto')).toMatchObject({ ok: true, format: 'cbor' });
    expect(decodePayload(Uint8Array.of(0x08, 0x96, 0x01), 'auto')).toMatchObject({ ok: true, format: 'protobuf', value: { 1: 150 } });
    expect(decodePayload(Uint8Array.of(0x0a, 0x01, 0x61), 'auto', { binary: true })).toMatchObject({ ok: true, format: 'protobuf', value: { 1: 'a' } });
    expect(decodePayload(bytes('hello'), 'auto')).toEqual({ ok: false, format: 'auto', error: 'text that is not JSON' });
    expect(decodePayload(Uint8Array.of(0xff, 0xff, 0xff), 'auto')).toMatchObject({ ok: false, format: 'auto' });
  });

  it('never throws on any bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), fc.constantFrom('auto', 'json', 'msgpack', 'cbor', 'protobuf') as fc.Arbitrary<'auto'>, (b, as) => {
      const decoded = decodePayload(b, as, { binary: true });
      expect(typeof decoded.ok).toBe('boolean');
    }), { numRuns: 2000 });
  });
});
