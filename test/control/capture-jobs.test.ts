// Capture import and pcapng export as control API jobs, as the UI runs them: a capture uploaded in pieces
// (a browser tab) or read from a path (the desktop shell) becomes a browsed session; the browsed session
// exported as pcapng is read back in pieces; a file that is not a capture fails by name.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestEngine, type TestEngine } from '../support/engine.js';
import { jobEnd } from '../support/har-jobs.js';
import { FLOW4, packets, pcapFile, upgradeSegments } from '../support/capture-builder.js';
import { encodeFrameBytes } from '../../src/protocol/frame-encoder.js';
import { CaptureImporter } from '../../src/capture/pcap/capture-importer.js';
import { MemorySessionWriter } from '../support/memory-session-writer.js';

const frame = encodeFrameBytes({ opcode: 1, mask: Buffer.from([5, 6, 7, 8]), payload: 'uploaded in pieces' });
const { segs, next } = upgradeSegments('/ui');
const capture = pcapFile(1, packets(FLOW4, 'ethernet', [...segs, { from: 'c', rel: next.c, payload: frame, ackRel: next.s }]));

describe('capture jobs over the control API', () => {
  let t: TestEngine;

  beforeAll(async () => {
    t = await startTestEngine({}, 'live');
  });
  afterAll(async () => {
    await t.close();
  });

  it('imports a capture sent in pieces as a new session and browses it', async () => {
    const { jobId } = await t.api.call('startCaptureImport', { name: 'uploaded' });
    for (let at = 0; at < capture.length; at += 100) await t.api.call('writeCaptureImport', { jobId, dataBase64: capture.subarray(at, at + 100).toString('base64') });
    await t.api.call('finishHarImport', { jobId });
    expect(await jobEnd(t.api, jobId)).toMatchObject({ state: 'done', session: { name: 'uploaded', connections: 1, live: false }, problems: [] });
    const [c] = t.engine.store.toConnectionRecords();
    expect(c!.url).toBe('ws://example.test:9000/ui');
    expect(c!.messages.map((m) => m.message.data.toString())).toEqual(['uploaded in pieces']);
  });

  it('imports a capture from a path, and names the problem of one that is not a capture', async () => {
    const path = join(t.dir, 'desktop.pcap');
    writeFileSync(path, capture);
    const { jobId } = await t.api.call('startCaptureImport', { name: 'from-path', path });
    expect(await jobEnd(t.api, jobId)).toMatchObject({ state: 'done', session: { name: 'from-path', connections: 1 } });
    const bad = join(t.dir, 'bad.pcap');
    writeFileSync(bad, 'not a capture at all');
    const failed = await t.api.call('startCaptureImport', { name: 'bad', path: bad });
    expect(await jobEnd(t.api, failed.jobId)).toMatchObject({ state: 'failed', message: 'not imported: wrong-magic: the file starts with 0x6e6f7420, which is neither a pcap nor a pcapng file' });
    expect((await t.api.call('listSessions', {})).map((s) => s.name)).not.toContain('bad');
  });

  it('exports the browsed session as pcapng, read back in pieces or written at a path (0600), which imports to the same frames', async () => {
    const { jobId, fileName } = await t.api.call('startPcapngExport', {});
    expect(fileName).toBe('from-path.pcapng');
    expect(await jobEnd(t.api, jobId)).toMatchObject({ state: 'done', job: 'export' });
    const pieces: Buffer[] = [];
    for (let offset = 0; ;) {
      const piece = await t.api.call('readHarExport', { jobId, offset });
      pieces.push(Buffer.from(piece.dataBase64, 'base64'));
      offset += pieces[pieces.length - 1]!.length;
      if (piece.end) break;
    }
    await t.api.call('releaseHarExport', { jobId });
    const path = join(t.dir, 'desktop.pcapng');
    const atPath = await t.api.call('startPcapngExport', { path, legs: 'both' });
    expect(await jobEnd(t.api, atPath.jobId)).toMatchObject({ state: 'done' });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    for (const file of [Buffer.concat(pieces), readFileSync(path)]) {
      const writer = new MemorySessionWriter();
      const importer = new CaptureImporter(writer);
      importer.push(file);
      expect(importer.end()).toMatchObject({ format: 'pcapng', problems: [] });
      const c = writer.list()[0]!;
      expect([c.url, c.clientAddress, c.serverAddress]).toEqual(['ws://example.test:9000/ui', '10.0.0.1:40001', '10.0.0.2:9000']);
      expect(c.frames.map((f) => [f.direction, f.time, f.frame.maskKey?.toString('hex'), f.frame.payload.toString()])).toEqual([['send', 1_700_000_000_005, '05060708', 'uploaded in pieces']]);
    }
  });
});
