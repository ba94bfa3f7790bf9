// Notes, pins and highlights over the control API, on real traffic through the proxy: saved, heard by
// every UI, exported in HAR as `_notes` on the entry, its frames and its messages (from the UI's export
// and from `framescope export`), and read back by both imports.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closed, nextMessage, opened, startWsServer, wsViaAbsoluteForm } from '../support/peers.js';
import { startTestEngine, type TestEngine } from '../support/engine.js';
import { harProblems } from '../support/har-schema.js';
import { exportOverApi, importOverApi } from '../support/har-jobs.js';
import { BIN } from '../support/cli.js';
import type { Annotation } from '../../src/control/api-types.js';

type Item = { _notes?: string };
type Entry = { _notes?: string; _webSocketFrames: Item[]; _webSocketMessages: Item[] };

describe('notes, pins and highlights', () => {
  let t: TestEngine;
  let server: Awaited<ReturnType<typeof startWsServer>>;
  let id: number;
  let home: string;

  beforeAll(async () => {
    t = await startTestEngine({}, 'live');
    home = mkdtempSync(join(tmpdir(), 'framescope-notes-home-'));
    server = await startWsServer();
    server.wss.on('connection', (ws) => ws.on('message', (d) => ws.send(`echo: ${d.toString()}`)));
    const ws = wsViaAbsoluteForm(t.proxyPort, `ws://127.0.0.1:${server.port}/noted`);
    await opened(ws);
    for (const text of ['a', 'b']) {
      ws.send(text);
      await nextMessage(ws);
    }
    const done = closed(ws);
    ws.close(1000, 'done');
    await done;
    id = (await t.api.call('listConnections', {}))[0]!.id;
    await t.api.waitForEvent((e) => e.kind === 'connection' && e.connection.id === id && e.connection.state === 'closed');
  });
  afterAll(async () => {
    await t.close();
    await server.close();
    rmSync(home, { recursive: true, force: true });
  });

  // Frames: 0 'a' ↑, 1 'echo: a' ↓, 2 'b' ↑, 3 'echo: b' ↓, 4 and 5 the closes. Messages 0-3 likewise.
  it('saves a mark, tells every UI, and lists the connection\'s marks', async () => {
    const saved = await t.api.call('setAnnotation', { annotation: { connectionId: id, target: 'frame', number: 2, note: 'qty is "wrong" ✓\nsee ticket', pinned: true, highlight: 'red' } });
    expect(saved).toEqual({ connectionId: id, target: 'frame', number: 2, note: 'qty is "wrong" ✓\nsee ticket', pinned: true, highlight: 'red', time: saved.time });
    const event = await t.api.waitForEvent((e) => e.kind === 'annotation' && e.annotation.number === 2);
    expect(event).toEqual({ kind: 'annotation', annotation: saved });
    await t.api.call('setAnnotation', { annotation: { connectionId: id, target: 'frame', number: 1, note: '', pinned: false, highlight: 'yellow' } });
    await t.api.call('setAnnotation', { annotation: { connectionId: id, target: 'connection', number: 0, note: 'the checkout flow', pinned: false } });
    await t.api.call('setAnnotation', { annotation: { connectionId: id, target: 'frame', number: 4, note: 'gone soon', pinned: true } });
    await t.api.call('setAnnotation', { annotation: { connectionId: id, target: 'frame', number: 4, note: '', pinned: false, highlight: null } });
    const marks = (await t.api.call('listAnnotations', { connectionId: id })).map(({ time: _time, ...rest }: Annotation) => rest);
    expect(marks).toEqual([
      { connectionId: id, target: 'connection', number: 0, note: 'the checkout flow', pinned: false },
      { connectionId: id, target: 'frame', number: 1, note: '', pinned: false, highlight: 'yellow' },
      { connectionId: id, target: 'frame', number: 2, note: 'qty is "wrong" ✓\nsee ticket', pinned: true, highlight: 'red' },
    ]);
  });

  it('refuses a mark on what does not exist', async () => {
    await expect(t.api.call('setAnnotation', { annotation: { connectionId: 999, target: 'connection', number: 0, note: 'x', pinned: false } })).rejects.toThrow('there is no connection 999');
    await expect(t.api.call('setAnnotation', { annotation: { connectionId: id, target: 'frame', number: 6, note: 'x', pinned: false } })).rejects.toThrow(`connection ${id} has no frame 6`);
    await expect(t.api.call('setAnnotation', { annotation: { connectionId: id, target: 'message', number: 4, note: 'x', pinned: false } })).rejects.toThrow(`connection ${id} has no message 4`);
  });

  const notesOf = (entry: Entry) => ({
    entry: entry._notes,
    frames: entry._webSocketFrames.map((f) => f._notes ?? null),
    messages: entry._webSocketMessages.map((m) => m._notes ?? null),
  });
  const EXPECTED = {
    entry: 'the checkout flow',
    frames: [null, null, 'qty is "wrong" ✓\nsee ticket', null, null, null],
    // Message 2 is the one frame 2 completed: it carries that frame's note.
    messages: [null, null, 'qty is "wrong" ✓\nsee ticket', null],
  };

  it('exports the notes as _notes on the entry, its frames and its messages, and imports them back', async () => {
    const { har } = await exportOverApi(t.api, [id]);
    const parsed = JSON.parse(har);
    expect(harProblems(parsed)).toEqual([]);
    expect(notesOf(parsed.log.entries[0])).toEqual(EXPECTED);

    await importOverApi(t.api, har, 'noted-copy');
    const [copy] = await t.api.call('listConnections', {});
    const marks = (await t.api.call('listAnnotations', {})).map(({ time: _time, ...rest }: Annotation) => rest);
    // Where there are frames, the frames carry the notes; pins and highlights are not part of HAR.
    expect(marks).toEqual([
      { connectionId: copy!.id, target: 'connection', number: 0, note: 'the checkout flow', pinned: false },
      { connectionId: copy!.id, target: 'frame', number: 2, note: 'qty is "wrong" ✓\nsee ticket', pinned: false },
    ]);
    const again = JSON.parse((await exportOverApi(t.api)).har);
    expect(notesOf(again.log.entries[0])).toEqual(EXPECTED);
    await t.api.call('openSession', { name: 'live' });

    // The command line's import and export (streamed) keep them too.
    const file = join(home, 'noted.har');
    writeFileSync(file, har);
    const env = { ...process.env, FRAMESCOPE_HOME: home };
    const imported = spawnSync(process.execPath, [BIN, 'import', file, '--session', 'cli-copy'], { env, encoding: 'utf8' });
    expect(imported.stderr).toBe('');
    expect(imported.status).toBe(0);
    const out = join(home, 'out.har');
    const exported = spawnSync(process.execPath, [BIN, 'export', 'cli-copy', '--har', out], { env, encoding: 'utf8' });
    expect(exported.status).toBe(0);
    expect(notesOf(JSON.parse(readFileSync(out, 'utf8')).log.entries[0])).toEqual(EXPECTED);
  });

  it('imports a note on a message of a HAR that has no frames (other tools\' HAR, edited)', async () => {
    const har = {
      log: {
        version: '1.2', creator: { name: 'x', version: '1' }, pages: [],
        entries: [{
          startedDateTime: '2026-01-01T00:00:00.000Z', time: 0, _resourceType: 'websocket', _notes: 'from Chrome',
          request: { method: 'GET', url: 'wss://chat.example/ws', httpVersion: 'HTTP/1.1', headers: [], queryString: [], cookies: [], headersSize: -1, bodySize: 0 },
          response: { status: 101, statusText: 'Switching Protocols', httpVersion: 'HTTP/1.1', headers: [], cookies: [], content: { size: 0, mimeType: '' }, redirectURL: '', headersSize: -1, bodySize: 0 },
          cache: {}, timings: { send: 0, wait: 0, receive: 0 },
          _webSocketMessages: [
            { type: 'send', time: 1767225600.1, opcode: 1, data: 'hi' },
            { type: 'receive', time: 1767225600.2, opcode: 1, data: 'hello', _notes: 'greeting' },
            { type: 'receive', time: 1767225600.3, opcode: 1, data: 'bad', _notes: 42 },
          ],
        }],
      },
    };
    const result = await importOverApi(t.api, JSON.stringify(har), 'chrome-noted');
    expect(result.problems).toEqual(['entry 0, field "_webSocketMessages[2]._notes": 42 is not a string; no note imported']);
    const [c] = await t.api.call('listConnections', {});
    expect((await t.api.call('listAnnotations', {})).map((a: Annotation) => [a.target, a.number, a.note])).toEqual([['connection', 0, 'from Chrome'], ['message', 1, 'greeting']]);
    const back = JSON.parse((await exportOverApi(t.api, [c!.id])).har);
    expect(back.log.entries[0]._notes).toBe('from Chrome');
    expect(back.log.entries[0]._webSocketMessages.map((m: Item) => m._notes ?? null)).toEqual([null, 'greeting', null]);
    await t.api.call('openSession', { name: 'live' });
  });
});
