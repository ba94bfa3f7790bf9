import { describe, expect, it } from 'vitest';
import { JsonHubProtocol, MessageType, type HubMessage } from '@microsoft/signalr';
import { MessagePackHubProtocol } from '@microsoft/signalr-protocol-msgpack';
import { encode } from '@msgpack/msgpack';
import { signalrLens, SignalrDecoder } from '../../../src/protocol/lenses/signalr.js';
import type { LensMessage, ProtocolPacket } from '../../../src/protocol/lenses/lens.js';

const json = new JsonHubProtocol();
const msgpack = new MessagePackHubProtocol();
const bytes = (text: string) => new TextEncoder().encode(text);
const jsonBytes = (m: HubMessage) => bytes(json.writeMessage(m) as string);
const packBytes = (m: HubMessage) => new Uint8Array(msgpack.writeMessage(m));
const text = (direction: LensMessage['direction'], data: Uint8Array): LensMessage => ({ direction, opcode: 1, data });
const binary = (direction: LensMessage['direction'], data: Uint8Array): LensMessage => ({ direction, opcode: 2, data });

function decodeAll(messages: LensMessage[]): ProtocolPacket[] {
  const decoder = new SignalrDecoder();
  return messages.flatMap((m) => {
    const result = decoder.decode(m);
    expect(result.problems).toBeUndefined();
    return result.packets;
  });
}

/** One conversation of every message kind, as each protocol's own writer encodes it. */
const CONVERSATION: [LensMessage['direction'], HubMessage][] = [
  ['send', { type: MessageType.Invocation, invocationId: '0', target: 'Echo', arguments: ['hi', 2], headers: {} }],
  ['receive', { type: MessageType.Completion, invocationId: '0', result: 'hi hi', headers: {} }],
  ['send', { type: MessageType.StreamInvocation, invocationId: '1', target: 'Counter', arguments: [3], headers: {} }],
  ['receive', { type: MessageType.StreamItem, invocationId: '1', item: 0, headers: {} }],
  ['send', { type: MessageType.CancelInvocation, invocationId: '1', headers: {} }],
  ['receive', { type: MessageType.Completion, invocationId: '1', error: 'canceled', headers: {} }],
  ['send', { type: MessageType.Invocation, invocationId: '2', target: 'Upload', arguments: [], streamIds: ['3'], headers: {} }],
  ['send', { type: MessageType.StreamItem, invocationId: '3', item: 'part', headers: {} }],
  ['send', { type: MessageType.Completion, invocationId: '3', headers: {} }],
  ['receive', { type: MessageType.Completion, invocationId: '2', headers: {} }],
  ['receive', { type: MessageType.Invocation, target: 'Notify', arguments: [{ n: 1 }], headers: {} }],
  ['send', { type: MessageType.Ping }],
  ['receive', { type: MessageType.Ack, sequenceId: 4 }],
  ['send', { type: MessageType.Sequence, sequenceId: 5 }],
  ['receive', { type: MessageType.Close }],
];

const EXPECTED = [
  ['Invocation Echo #0', { role: 'request', key: 'signalr:send:0' }],
  ['Completion #0', { role: 'answer', key: 'signalr:send:0', final: true }],
  ['StreamInvocation Counter #1', { role: 'request', key: 'signalr:send:1' }],
  ['StreamItem #1', { role: 'answer', key: 'signalr:send:1' }],
  ['CancelInvocation #1', { role: 'answer', key: 'signalr:send:1' }],
  ['Completion #1 error: canceled', { role: 'answer', key: 'signalr:send:1', final: true }],
  ['Invocation Upload #2 streams 3', { role: 'request', key: 'signalr:send:2' }],
  ['StreamItem #3', { role: 'answer', key: 'signalr:send:2' }],
  ['Completion #3', { role: 'answer', key: 'signalr:send:2' }],
  ['Completion #2', { role: 'answer', key: 'signalr:send:2', final: true }],
  ['Invocation Notify', null],
  ['Ping', null],
  ['Ack 4', null],
  ['Sequence 5', null],
  ['Close', null],
];

describe('the SignalR lens', () => {
  it('detects SignalR from the handshake and the negotiated URL', () => {
    const handshake = text('send', bytes('{"protocol":"json","version":1}\x1e'));
    expect(signalrLens.detect({ target: '/chathub?id=abc123', offeredSubprotocols: [] }, [handshake])).toBe(1);
    expect(signalrLens.detect({ target: '/ws', offeredSubprotocols: [] }, [handshake])).toBe(0.95);
    expect(signalrLens.detect({ target: '/chathub?id=abc123', offeredSubprotocols: [] }, [])).toBe(0.7);
    expect(signalrLens.detect({ target: '/chathub', offeredSubprotocols: [] }, [])).toBe(0.3);
    expect(signalrLens.detect({ target: '/ws', offeredSubprotocols: [] }, [text('send', bytes('{"type":1}\x1e'))])).toBe(0);
    expect(signalrLens.detect({ target: '/ws', offeredSubprotocols: [] }, [text('send', bytes('{"protocol":"json"'))])).toBe(0);
  });

  it('reads every JSON hub message kind, several in one message, and links them by invocationId', () => {
    const all = CONVERSATION.map(([direction, m]) => text(direction, jsonBytes(m)));
    const packets = decodeAll([
      text('send', bytes('{"protocol":"json","version":1}\x1e')),
      text('receive', bytes('{}\x1e')),
      ...all,
    ]);
    expect(packets.slice(0, 2)).toEqual([
      { name: 'signalr', type: 'HandshakeRequest', summary: 'HandshakeRequest json v1', data: { protocol: 'json', version: 1 }, fields: { protocol: 'json', version: 1 }, link: { role: 'request', key: 'signalr:handshake' } },
      { name: 'signalr', type: 'HandshakeResponse', summary: 'HandshakeResponse', data: {}, fields: {}, link: { role: 'answer', key: 'signalr:handshake', final: true } },
    ]);
    expect(packets.slice(2).map((p) => [p.summary, p.link ?? null])).toEqual(EXPECTED);
    expect(packets[2]).toEqual({
      name: 'signalr', type: 'Invocation', summary: 'Invocation Echo #0', event: 'Echo', id: '0', data: ['hi', 2],
      fields: { type: 1, headers: {} }, link: { role: 'request', key: 'signalr:send:0' },
    });
    expect(packets[12]).toMatchObject({ event: 'Notify', data: [{ n: 1 }] });
    // Two records in one message, the second split across two messages.
    const two = new Uint8Array([...jsonBytes(CONVERSATION[0]![1]), ...jsonBytes(CONVERSATION[2]![1])]);
    const decoder = new SignalrDecoder();
    decoder.decode(text('send', bytes('{"protocol":"json","version":1}\x1e')));
    expect(decoder.decode(text('send', two.subarray(0, two.length - 5))).packets.map((p) => p.summary)).toEqual(['Invocation Echo #0']);
    expect(decoder.decode(text('send', two.subarray(two.length - 5))).packets.map((p) => p.summary)).toEqual(['StreamInvocation Counter #1']);
  });

  it('reads every MessagePack hub message kind after a handshake in the same message as the first messages', () => {
    const handshakeAndFirst = new Uint8Array([...bytes('{}\x1e'), ...packBytes({ type: MessageType.Ping })]);
    const packets = decodeAll([
      text('send', bytes('{"protocol":"messagepack","version":1}\x1e')),
      binary('receive', handshakeAndFirst),
      ...CONVERSATION.map(([direction, m]) => binary(direction, packBytes(m))),
    ]);
    expect(packets.map((p) => p.summary).slice(0, 3)).toEqual(['HandshakeRequest messagepack v1', 'HandshakeResponse', 'Ping']);
    expect(packets.slice(3).map((p) => [p.summary, p.link ?? null])).toEqual(EXPECTED);
    expect(packets[3]).toEqual({
      name: 'signalr', type: 'Invocation', summary: 'Invocation Echo #0', event: 'Echo', id: '0', data: ['hi', 2],
      fields: { type: 1 }, link: { role: 'request', key: 'signalr:send:0' },
    });
    expect(packets[4]).toMatchObject({ data: 'hi hi', fields: { type: 3, resultKind: 'result' } });
    expect(packets[8]).toMatchObject({ data: { error: 'canceled' }, fields: { resultKind: 'error' } });
  });

  it('reads MessagePack binary arguments, big integers and a message split at every byte', () => {
    // The SignalR package's own encoder has no 64-bit integers: the body comes from @msgpack/msgpack, the size prefix by hand.
    const body = encode([1, { trace: 'x' }, '9', 'Put', [Uint8Array.of(1, 2, 255), 2n ** 60n, 1.5]], { useBigInt64: true });
    expect(body.length).toBeLessThan(128);
    const m = new Uint8Array([body.length, ...body]);
    for (let cut = 1; cut < m.length; cut++) {
      const decoder = new SignalrDecoder();
      decoder.decode(text('send', bytes('{"protocol":"messagepack","version":1}\x1e')));
      expect(decoder.decode(binary('send', m.subarray(0, cut)))).toEqual({ packets: [], pending: true });
      const [packet] = decoder.decode(binary('send', m.subarray(cut))).packets;
      expect(packet).toMatchObject({ summary: 'Invocation Put #9', data: [{ _binary: 'AQL/' }, '1152921504606846976', 1.5], fields: { headers: { trace: 'x' } } });
    }
  });

  it('shows a handshake error and reads a capture that starts after the handshake', () => {
    const [response] = decodeAll([text('receive', bytes('{"error":"Requested protocol \'xml\' is not available."}\x1e'))]);
    expect(response).toMatchObject({ type: 'HandshakeResponse', summary: "HandshakeResponse error: Requested protocol 'xml' is not available." });
    expect(decodeAll([binary('receive', packBytes({ type: MessageType.Ping }))]).map((p) => p.summary)).toEqual(['Ping']);
    expect(decodeAll([text('receive', jsonBytes({ type: MessageType.Ping }))]).map((p) => p.summary)).toEqual(['Ping']);
  });

  it('reports messages it cannot read and keeps going', () => {
    const decoder = new SignalrDecoder();
    decoder.decode(text('send', bytes('{"protocol":"json","version":1}\x1e')));
    const result = decoder.decode(text('send', bytes('{"type":42}\x1e[1]\x1enot json\x1e{"type":6}\x1e')));
    expect(result.problems).toEqual(['unknown message type 42', 'a message is not a JSON object', expect.stringMatching(/^a message that is not JSON: /)]);
    expect(result.packets.map((p) => p.type)).toEqual(['Ping']);
    const packed = new SignalrDecoder();
    packed.decode(text('send', bytes('{"protocol":"messagepack","version":1}\x1e')));
    expect(packed.decode(binary('send', Uint8Array.of(0x80, 0x80, 0x80, 0x80, 0x80, 0x01))).problems).toEqual(['a message size longer than five bytes; the rest of this stream is not read as SignalR']);
  });
});
