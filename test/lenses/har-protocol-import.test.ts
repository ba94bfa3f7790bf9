// A HAR's `_protocol` read back on import: the connection is read through the lens it names, even where
// detection would not find that protocol (a lens the user chose before exporting), beside its note.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CaptureStore } from '../../src/capture/capture-store.js';
import { importHarFile } from '../../src/capture/har-import/har-file-import.js';
import { storedLensChoice } from '../../src/lenses/protocol-views.js';

const dir = mkdtempSync(join(tmpdir(), 'framescope-har-protocol-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A one-connection HAR whose messages are the given items. */
function har(messages: object[], extra: object = {}): string {
  return JSON.stringify({ log: { version: '1.2', creator: { name: 'Framescope', version: '0.1.0' }, entries: [{
    startedDateTime: '2024-05-01T10:00:00.000Z', _resourceType: 'websocket', ...extra,
    request: { method: 'GET', url: 'ws://example.test/feed', httpVersion: 'HTTP/1.1', headers: [] },
    response: { status: 101, statusText: 'Switching Protocols', httpVersion: 'HTTP/1.1', headers: [] },
    _webSocketMessages: messages,
  }] } });
}

async function imported(name: string, text: string) {
  const file = join(dir, `${name}.har`);
  writeFileSync(file, text);
  const store = CaptureStore.create(join(dir, `${name}.fscap`));
  const result = await importHarFile(file, store);
  return { store, problems: result.problems };
}

// A STOMP MESSAGE on a URL and subprotocol that say nothing: detection finds no protocol in it.
const stompMessage = 'MESSAGE\ndestination:/topic/a\nsubscription:0\nmessage-id:1\n\nhi\0';
const stompPacket = { name: 'stomp', type: 'MESSAGE', summary: 'MESSAGE /topic/a', channel: '/topic/a', id: '0', data: 'hi' };

describe('`_protocol` on import', () => {
  it('reads the connection through the lens its messages name, and keeps the connection\'s note', async () => {
    const { store, problems } = await imported('stomp', har([{ type: 'receive', time: 1714557600, opcode: 1, data: stompMessage, _protocol: stompPacket }], { _notes: 'broker' }));
    try {
      expect(problems).toEqual([]);
      expect(storedLensChoice(store, 1)).toBe('stomp');
      expect(store.annotations(1)).toMatchObject([{ connectionId: 1, target: 'connection', number: 0, note: 'broker', lens: 'stomp' }]);
    } finally {
      store.close();
    }
  });

  it('leaves detection to the engine when no message names a lens', async () => {
    const { store } = await imported('plain', har([{ type: 'receive', time: 1714557600, opcode: 1, data: stompMessage }]));
    try {
      expect(storedLensChoice(store, 1)).toBe('auto');
      expect(store.annotations(1)).toEqual([]);
    } finally {
      store.close();
    }
  });

  it('takes Socket.IO, not the Engine.IO it runs on, when both name the packets', async () => {
    const items = [
      { type: 'receive', time: 1714557600, opcode: 1, data: '0{"sid":"a"}', _protocol: { name: 'engine.io', type: 'open', summary: 'open' } },
      { type: 'send', time: 1714557600.001, opcode: 1, data: '40', _protocol: { name: 'socket.io', type: 'CONNECT', summary: 'CONNECT /' } },
    ];
    const { store } = await imported('sio', har(items));
    try {
      expect(storedLensChoice(store, 1)).toBe('socket.io');
    } finally {
      store.close();
    }
  });

  it('reports a `_protocol` that names no lens, once, and imports the message', async () => {
    const items = [
      { type: 'receive', time: 1714557600, opcode: 1, data: 'a', _protocol: { name: 'socketio', type: 'EVENT', summary: 'x' } },
      { type: 'receive', time: 1714557600.001, opcode: 1, data: 'b', _protocol: 7 },
    ];
    const { store, problems } = await imported('bad', har(items));
    try {
      expect(problems.map((p) => [p.entry, p.field, p.message])).toEqual([
        [0, '_webSocketMessages[0]._protocol', `"socketio" is not a packet whose name is one of engine.io, socket.io, graphql-transport-ws, subscriptions-transport-ws, mqtt, stomp, signalr, json-rpc, phoenix, actioncable, wamp; ignored`],
      ]);
      expect(store.messages(1, 0, 2).map((m) => m.message.data.toString())).toEqual(['a', 'b']);
      expect(storedLensChoice(store, 1)).toBe('auto');
    } finally {
      store.close();
    }
  });
});
