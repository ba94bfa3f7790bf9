import { describe, expect, it } from 'vitest';
import { stompLens, StompDecoder } from '../../../src/protocol/lenses/stomp.js';
import { encodeStompFrame, encodeStompSend } from '../../../src/protocol/lenses/stomp-encoder.js';
import type { LensMessage, ProtocolPacket } from '../../../src/protocol/lenses/lens.js';

const bytes = (text: string) => new TextEncoder().encode(text);
const send = (data: string | Uint8Array): LensMessage => ({ direction: 'send', opcode: 1, data: typeof data === 'string' ? bytes(data) : data });
const receive = (data: string | Uint8Array): LensMessage => ({ direction: 'receive', opcode: 1, data: typeof data === 'string' ? bytes(data) : data });

function decodeAll(messages: LensMessage[], version = '1.2'): ProtocolPacket[] {
  const decoder = new StompDecoder(version);
  return messages.flatMap((m) => {
    const result = decoder.decode(m);
    expect(result.problems).toBeUndefined();
    return result.packets;
  });
}

describe('the STOMP lens', () => {
  it('detects STOMP from the subprotocol and from a first CONNECT or STOMP frame', () => {
    expect(stompLens.detect({ target: '/ws', subprotocol: 'v12.stomp', offeredSubprotocols: ['v12.stomp'] }, [])).toBe(1);
    expect(stompLens.detect({ target: '/ws', subprotocol: 'v10.stomp', offeredSubprotocols: ['v10.stomp'] }, [])).toBe(1);
    const plain = { target: '/ws', offeredSubprotocols: [] };
    expect(stompLens.detect(plain, [send('CONNECT\naccept-version:1.2\nhost:x\n\n\0')])).toBe(0.95);
    expect(stompLens.detect(plain, [send('STOMP\r\naccept-version:1.2\r\n\r\n\0')])).toBe(0.95);
    expect(stompLens.detect(plain, [send('CONNECT\naccept-version:1.2\nho'), send('st:x\n\n\0')])).toBe(0.95);
    expect(stompLens.detect(plain, [send('CONNECTING to you')])).toBe(0);
    expect(stompLens.detect(plain, [send('CONNECT\nnot a header\n\n\0')])).toBe(0);
    expect(stompLens.detect({ target: '/', offeredSubprotocols: ['v11.stomp'] }, [])).toBe(0.6);
  });

  it('reads a session: CONNECT, CONNECTED, heart-beats, SUBSCRIBE, SEND, MESSAGE, RECEIPT, with links', () => {
    const packets = decodeAll([
      send('CONNECT\naccept-version:1.2,1.1\nhost:example\nheart-beat:0,0\n\n\0'),
      receive('CONNECTED\nversion:1.2\nheart-beat:0,0\n\n\0'),
      receive('\n'),
      send('SUBSCRIBE\nid:sub-0\ndestination:/topic/a\nreceipt:r0\n\n\0'),
      receive('RECEIPT\nreceipt-id:r0\n\n\0'),
      send('SEND\ndestination:/topic/a\ncontent-type:text/plain\nreceipt:r1\n\nhello\0'),
      receive('MESSAGE\nsubscription:sub-0\nmessage-id:1\ndestination:/topic/a\n\nhello\0\nRECEIPT\nreceipt-id:r1\n\n\0\n'),
      send('UNSUBSCRIBE\nid:sub-0\n\n\0'),
    ]);
    expect(packets.map((p) => [p.summary, p.id ?? null, p.link ?? null])).toEqual([
      ['CONNECT host example accept-version 1.2,1.1 heart-beat 0,0', null, { role: 'request', key: 'stomp:connect' }],
      ['CONNECTED version 1.2 heart-beat 0,0', null, { role: 'answer', key: 'stomp:connect', final: true }],
      ['heart-beat', null, null],
      ['SUBSCRIBE /topic/a id sub-0 receipt r0', 'sub-0', { role: 'request', key: 'stomp:sub:sub-0' }],
      ['RECEIPT r0', 'r0', { role: 'answer', key: 'stomp:sub:sub-0' }],
      ['SEND /topic/a receipt r1 (5 B)', 'r1', { role: 'request', key: 'stomp:receipt:r1' }],
      ['MESSAGE /topic/a subscription sub-0 message-id 1 (5 B)', 'sub-0', { role: 'answer', key: 'stomp:sub:sub-0' }],
      ['RECEIPT r1', 'r1', { role: 'answer', key: 'stomp:receipt:r1', final: true }],
      ['UNSUBSCRIBE id sub-0', 'sub-0', { role: 'answer', key: 'stomp:sub:sub-0', final: true }],
    ]);
    expect(packets[5]).toEqual({
      name: 'stomp', type: 'SEND', summary: 'SEND /topic/a receipt r1 (5 B)', channel: '/topic/a', id: 'r1', data: 'hello',
      fields: { headers: { destination: '/topic/a', 'content-type': 'text/plain', receipt: 'r1' } },
      link: { role: 'request', key: 'stomp:receipt:r1' },
    });
  });

  it('reads a body by content-length, NULs and all, and a binary body as base64', () => {
    const frame = new Uint8Array([...bytes('MESSAGE\nsubscription:s\ncontent-length:4\n\n'), 0, 0xff, 0, 1, 0]);
    const [packet] = decodeAll([receive(frame)]);
    expect(packet).toMatchObject({ type: 'MESSAGE', data: { _binary: 'AP8AAQ==' }, summary: 'MESSAGE subscription s (4 B)' });
  });

  it('unescapes 1.2 headers except in CONNECT and CONNECTED, keeps repeated headers, and takes CRLF lines', () => {
    const [message] = decodeAll([receive('MESSAGE\r\nsubscription:s\r\nnote:a\\cb\\nc\\\\d\\r\r\nnote:second\r\n\r\n\0')]);
    expect(message!.fields).toEqual({ headers: { subscription: 's', note: 'a:b\nc\\d\r' }, headerList: [['subscription', 's'], ['note', 'a:b\nc\\d\r'], ['note', 'second']] });
    const [connect] = decodeAll([send('CONNECT\nlogin:a\\cb\n\n\0')]);
    expect(connect!.fields).toEqual({ headers: { login: 'a\\cb' } });
    const [v10] = decodeAll([receive('MESSAGE\nnote:a\\cb\n\n\0')], '1.0');
    expect(v10!.fields).toEqual({ headers: { note: 'a\\cb' } });
  });

  it('reads a frame split at every byte across messages', () => {
    const whole = bytes('SEND\ndestination:/q\ncontent-length:3\n\na\0b\0');
    for (let cut = 1; cut < whole.length; cut++) {
      const decoder = new StompDecoder('1.2');
      const first = decoder.decode(send(whole.subarray(0, cut)));
      expect(first).toEqual({ packets: [], pending: true });
      const second = decoder.decode(send(whole.subarray(cut)));
      expect(second.packets.map((p) => p.data)).toEqual(['a\0b']);
    }
  });

  it('reports broken frames and keeps reading', () => {
    const decoder = new StompDecoder('1.2');
    const result = decoder.decode(receive('MESSAGE\nbad line\nx:\\q\n\n\0FROB\n\n\0'));
    expect(result.problems).toEqual([
      'a header line without a colon: "bad line"',
      'an undefined escape "\\\\q" in a header',
      '"FROB" is not a STOMP server command',
    ]);
    expect(result.packets.map((p) => p.type)).toEqual(['MESSAGE', 'FROB']);
  });

  it('encodes SEND frames that the lens reads back, escaped and with a content-length', () => {
    const frame = encodeStompSend({ destination: '/q/a', body: 'x\0y', headers: { note: 'a:b\nc' }, receipt: '7' });
    expect(new TextDecoder().decode(frame)).toBe('SEND\ndestination:/q/a\nnote:a\\cb\\nc\nreceipt:7\ncontent-length:3\n\nx\0y\0');
    const [packet] = decodeAll([send(frame)]);
    expect(packet).toMatchObject({ type: 'SEND', channel: '/q/a', data: 'x\0y', fields: { headers: { destination: '/q/a', note: 'a:b\nc', receipt: '7', 'content-length': '3' } } });
    expect(new TextDecoder().decode(encodeStompFrame({ command: 'CONNECT', headers: { login: 'a:b' } }))).toBe('CONNECT\nlogin:a:b\n\n\0');
  });
});
