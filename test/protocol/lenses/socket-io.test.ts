import { describe, expect, it } from 'vitest';
import { Encoder, PacketType } from 'socket.io-parser';
import type { LensConnection, LensMessage } from '../../../src/protocol/lenses/lens.js';
import { socketIoLens } from '../../../src/protocol/lenses/socket-io.js';
import { engineIoLens } from '../../../src/protocol/lenses/engine-io.js';
import { parseSocketIo } from '../../../src/protocol/lenses/socket-io-packet.js';
import { binary, text } from './lens-test-support.js';

const v4: LensConnection = { target: '/socket.io/?EIO=4&transport=websocket', offeredSubprotocols: [] };
const v3: LensConnection = { target: '/socket.io/?EIO=3&transport=websocket', offeredSubprotocols: [] };

/** What socket.io-parser writes for a packet, as the Engine.IO v4 messages that carry it. */
function encoded(direction: LensMessage['direction'], packet: Parameters<Encoder['encode']>[0]): LensMessage[] {
  return new Encoder().encode(packet).map((part) => (typeof part === 'string' ? text(direction, `4${part}`) : binary(direction, new Uint8Array(part as Buffer))));
}

describe('the Socket.IO lens', () => {
  it('reads what socket.io-parser encodes: an event with a namespace and an ack id', () => {
    const decoder = socketIoLens.decoder(v4);
    const [message] = encoded('send', { type: PacketType.EVENT, nsp: '/chat', id: 17, data: ['message', { text: 'hi' }] });
    expect(new TextDecoder().decode(message!.data)).toBe('42/chat,17["message",{"text":"hi"}]');
    expect(decoder.decode(message!)).toEqual({
      packets: [{
        name: 'socket.io', type: 'EVENT', summary: 'EVENT message /chat ack 17', event: 'message', channel: '/chat', id: 17,
        data: [{ text: 'hi' }], link: { role: 'request', key: 'ack:send:/chat:17' },
      }],
    });
    const [ack] = encoded('receive', { type: PacketType.ACK, nsp: '/chat', id: 17, data: ['ok', 2] });
    expect(decoder.decode(ack!)).toEqual({
      packets: [{ name: 'socket.io', type: 'ACK', summary: 'ACK /chat ack 17', channel: '/chat', id: 17, data: ['ok', 2], link: { role: 'answer', key: 'ack:send:/chat:17', final: true } }],
    });
  });

  it('reassembles a binary event\'s attachments in place, giving it with the message that completes it', () => {
    const decoder = socketIoLens.decoder(v4);
    const messages = encoded('send', { type: PacketType.EVENT, nsp: '/', id: 3, data: ['upload', { name: 'a', file: Buffer.from([1, 2, 3]) }, Buffer.from('hi')] });
    expect(messages).toHaveLength(3);
    expect(new TextDecoder().decode(messages[0]!.data)).toBe('452-3["upload",{"name":"a","file":{"_placeholder":true,"num":0}},{"_placeholder":true,"num":1}]');
    expect(decoder.decode(messages[0]!)).toEqual({ packets: [], pending: true });
    expect(decoder.decode(messages[1]!)).toEqual({ packets: [], pending: true });
    expect(decoder.decode(messages[2]!)).toEqual({
      packets: [{
        name: 'socket.io', type: 'BINARY_EVENT', summary: 'BINARY_EVENT upload ack 3', event: 'upload', channel: '/', id: 3,
        data: [{ name: 'a', file: { _binary: 'AQID' } }, { _binary: 'aGk=' }], link: { role: 'request', key: 'ack:send:/:3' },
      }],
    });
  });

  it('keeps each direction\'s attachments apart', () => {
    const decoder = socketIoLens.decoder(v4);
    const up = encoded('send', { type: PacketType.EVENT, nsp: '/', data: ['a', Buffer.from([9])] });
    const down = encoded('receive', { type: PacketType.EVENT, nsp: '/', data: ['b', Buffer.from([8])] });
    expect(decoder.decode(up[0]!).pending).toBe(true);
    expect(decoder.decode(down[0]!).pending).toBe(true);
    expect(decoder.decode(down[1]!).packets[0]).toMatchObject({ event: 'b', data: [{ _binary: 'CA==' }] });
    expect(decoder.decode(up[1]!).packets[0]).toMatchObject({ event: 'a', data: [{ _binary: 'CQ==' }] });
  });

  it('shows a v3 binary attachment (type byte first) and the v4 protocol\'s ERROR', () => {
    const decoder = socketIoLens.decoder(v3);
    expect(decoder.decode(text('receive', '451-["bin",{"_placeholder":true,"num":0}]')).pending).toBe(true);
    expect(decoder.decode(binary('receive', [4, 0xff, 0x00])).packets[0]).toMatchObject({ type: 'BINARY_EVENT', event: 'bin', data: [{ _binary: '/wA=' }] });
    expect(decoder.decode(text('receive', '44/admin,"Not authorized"')).packets[0]).toEqual({
      name: 'socket.io', type: 'ERROR', summary: 'ERROR /admin Not authorized', channel: '/admin', data: 'Not authorized',
      link: { role: 'answer', key: 'connect:/admin', final: true },
    });
  });

  it('links a CONNECT to its answer and shows the transport\'s own packets as Engine.IO', () => {
    const decoder = socketIoLens.decoder(v4);
    const got = [
      text('receive', '0{"sid":"s1","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}'),
      text('send', '40/chat,{"token":"t"}'),
      text('receive', '40/chat,{"sid":"x9"}'),
      text('receive', '44/nope,{"message":"Invalid namespace"}'),
      text('receive', '2'),
      text('send', '3'),
      text('send', '41/chat,'),
      text('receive', '1'),
    ].map((m) => decoder.decode(m).packets[0]);
    expect(got.map((p) => [p?.name, p?.type, p?.summary])).toEqual([
      ['engine.io', 'open', 'open sid s1'],
      ['socket.io', 'CONNECT', 'CONNECT /chat'],
      ['socket.io', 'CONNECT', 'CONNECT /chat sid x9'],
      ['socket.io', 'CONNECT_ERROR', 'CONNECT_ERROR /nope Invalid namespace'],
      ['engine.io', 'ping', 'ping'],
      ['engine.io', 'pong', 'pong'],
      ['socket.io', 'DISCONNECT', 'DISCONNECT /chat'],
      ['engine.io', 'close', 'close'],
    ]);
    expect(got[0]!.data).toEqual({ sid: 's1', upgrades: [], pingInterval: 25000, pingTimeout: 20000, maxPayload: 1000000 });
    expect(got[1]).toMatchObject({ data: { token: 't' }, link: { role: 'request', key: 'connect:/chat' } });
    expect(got[2]!.link).toEqual({ role: 'answer', key: 'connect:/chat', final: true });
    expect(got[4]!.link).toEqual({ role: 'request', key: 'eio-ping:receive:' });
    expect(got[5]!.link).toEqual({ role: 'answer', key: 'eio-ping:receive:', final: true });
  });

  it('says what is wrong with bytes that are not Socket.IO, and shows them as Engine.IO where they are', () => {
    const decoder = socketIoLens.decoder(v4);
    expect(decoder.decode(text('send', ''))).toEqual({ packets: [], problems: ['an Engine.IO packet starts with its type (0-6), not an empty message'] });
    expect(decoder.decode(text('send', 'x'))).toEqual({ packets: [], problems: ['an Engine.IO packet starts with its type (0-6), not "x"'] });
    expect(decoder.decode(text('send', '42["a"'))).toMatchObject({ packets: [{ name: 'engine.io', type: 'message', summary: 'message 2["a"' }] });
    expect(decoder.decode(text('send', '42{"a":1}')).problems).toEqual(['a EVENT payload is an array that starts with the event name']);
    expect(decoder.decode(text('send', '49')).problems).toEqual(['a Socket.IO packet starts with its type (0-6), not "9"']);
    expect(decoder.decode(binary('send', [1, 2])).problems).toEqual(['a binary message with no Socket.IO binary packet waiting for it']);
    expect(decoder.decode({ direction: 'send', opcode: 1, data: Uint8Array.from([0x34, 0xff]) }).problems).toEqual(['an Engine.IO text message is not valid UTF-8']);
  });

  it('parses every field socket.io-parser\'s decoder reads from the same text', async () => {
    const { Decoder } = await import('socket.io-parser');
    const samples = ['0', '0/admin,', '0/admin,{"token":"1"}', '1/admin,', '2["a"]', '2/x,7["a",1,null]', '3/x,7[]', '312[1]', '4/x,{"message":"no"}', '2["a",{"b":[1,2,{"c":"d"}]}]'];
    for (const sample of samples) {
      const theirs = await new Promise<{ type: number; nsp: string; id?: number; data?: unknown }>((resolve) => {
        const decoder = new Decoder();
        decoder.on('decoded', resolve);
        decoder.add(sample);
      });
      const ours = parseSocketIo(sample, 5);
      expect(ours.ok, sample).toBe(true);
      if (!ours.ok) continue;
      expect({ type: ours.packet.type, nsp: ours.packet.nsp, id: ours.packet.id, data: ours.packet.payload }, sample).toEqual({
        type: ['CONNECT', 'DISCONNECT', 'EVENT', 'ACK', 'CONNECT_ERROR', 'BINARY_EVENT', 'BINARY_ACK'][theirs.type], nsp: theirs.nsp, id: theirs.id, data: theirs.data,
      });
    }
  });
});

describe('the Engine.IO lens', () => {
  it('reads every packet type, the probe, and binary messages of v3 and v4', () => {
    const decoder = engineIoLens.decoder({ target: '/engine.io/?EIO=4&transport=websocket', offeredSubprotocols: [] });
    const results = [text('send', '2probe'), text('receive', '3probe'), text('send', '5'), text('send', '6'), text('send', '4hello'), binary('receive', [0, 1])]
      .map((m) => decoder.decode(m).packets[0]);
    expect(results).toEqual([
      { name: 'engine.io', type: 'ping', summary: 'ping probe', data: 'probe', link: { role: 'request', key: 'eio-ping:send:probe' } },
      { name: 'engine.io', type: 'pong', summary: 'pong probe', data: 'probe', link: { role: 'answer', key: 'eio-ping:send:probe', final: true } },
      { name: 'engine.io', type: 'upgrade', summary: 'upgrade' },
      { name: 'engine.io', type: 'noop', summary: 'noop' },
      { name: 'engine.io', type: 'message', summary: 'message hello', data: 'hello' },
      { name: 'engine.io', type: 'message', summary: 'message binary 2 bytes', data: { _binary: 'AAE=' } },
    ]);
    const old = engineIoLens.decoder({ target: '/engine.io/?EIO=3&transport=websocket', offeredSubprotocols: [] });
    expect(old.decode(binary('receive', [4, 7])).packets[0]).toEqual({ name: 'engine.io', type: 'message', summary: 'message binary 1 bytes', data: { _binary: 'Bw==' } });
    expect(old.decode(binary('receive', [9])).problems).toEqual(['a binary Engine.IO v3 message starts with its packet type (0-6), not 0x09']);
  });
});
