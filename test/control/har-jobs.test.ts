// HAR export and import as control API jobs: to and from a path (the desktop shell), in pieces over the
// control connection (a browser tab), cancelled by the client or by its going away, and refused by name.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startWsServer, wsViaAbsoluteForm, opened, nextMessage, closed } from '../support/peers.js';
import { ControlClient, startTestEngine, type TestEngine } from '../support/engine.js';
import { exportOverApi, importOverApi, jobEnd } from '../support/har-jobs.js';
import { exportHar } from '../../src/capture/har-export.js';

describe('HAR jobs over the control API', () => {
  let t: TestEngine;
  let server: Awaited<ReturnType<typeof startWsServer>>;

  beforeAll(async () => {
    server = await startWsServer();
    server.wss.on('connection', (ws) => ws.on('message', (d) => ws.send(`echo ${d.toString()}`)));
    t = await startTestEngine({}, 'live');
    const ws = wsViaAbsoluteForm(t.proxyPort, `ws://127.0.0.1:${server.port}/jobs`);
    await opened(ws);
    for (const text of ['one', 'two', 'three']) {
      ws.send(text);
      await nextMessage(ws);
    }
    ws.close(1000, 'done');
    await closed(ws);
    for (let i = 0; i < 250 && t.engine.store.connections()[0]?.state !== 'closed'; i++) await new Promise((r) => setTimeout(r, 20));
  });

  afterAll(async () => {
    await t.close();
    await server.close();
  });

  const sessionNames = async () => (await t.api.call('listSessions', {})).map((s) => s.name).sort();

  it('writes the HAR at a path with mode 0600, the same text as the whole-HAR builder', async () => {
    const path = join(t.dir, 'desktop.har');
    const { jobId, fileName } = await t.api.call('startHarExport', { path });
    expect(fileName).toBe('live.har');
    const end = await jobEnd(t.api, jobId);
    const text = readFileSync(path, 'utf8');
    expect(end).toEqual({ kind: 'har-job', jobId, job: 'export', state: 'done', done: 1, total: 1, bytes: Buffer.byteLength(text) });
    expect(text).toBe(`${JSON.stringify(exportHar(t.engine.store.toConnectionRecords()), null, 2)}\n`);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const { har } = await exportOverApi(t.api, [1]);
    expect(har).toBe(`${JSON.stringify(exportHar(t.engine.store.toConnectionRecords([1])), null, 2)}\n`);
  });

  it('names a path it cannot write', async () => {
    const path = join(t.dir, 'no-such-dir', 'x.har');
    const { jobId } = await t.api.call('startHarExport', { path });
    expect(await jobEnd(t.api, jobId)).toMatchObject({ state: 'failed', message: `${path} cannot be written: its directory does not exist` });
  });

  it('imports a HAR from a path as a new session and browses it', async () => {
    const path = join(t.dir, 'desktop.har');
    const { jobId } = await t.api.call('startHarImport', { name: 'from-path', path });
    const end = await jobEnd(t.api, jobId);
    expect(end).toMatchObject({ state: 'done', session: { name: 'from-path', connections: 1, live: false }, problems: [] });
    expect((await t.api.call('listConnections', {})).map((c) => c.messageCount)).toEqual([6]);
    await t.api.call('openSession', { name: 'live' });
  });

  it('names a path that does not exist and leaves no session', async () => {
    const path = join(t.dir, 'missing.har');
    const { jobId } = await t.api.call('startHarImport', { name: 'missing', path });
    expect(await jobEnd(t.api, jobId)).toMatchObject({ state: 'failed', message: `${path} does not exist: check the path (a HAR file saved from Framescope, a browser or a proxy)` });
    expect(await sessionNames()).not.toContain('missing');
  });

  it('refuses uploaded text that is not a HAR by name and leaves no session', async () => {
    const end = await importOverApi(t.api, '\u0000\u000b', 'garbage');
    expect(end).toMatchObject({ state: 'failed', message: 'not imported: not JSON: unexpected character U+0000 at character 0' });
    expect(await sessionNames()).not.toContain('garbage');
  });

  it('reads an upload split inside strings and escapes exactly as the whole text', async () => {
    const path = join(t.dir, 'desktop.har');
    const end = await importOverApi(t.api, readFileSync(path, 'utf8'), 'split', 7);
    expect(end).toMatchObject({ state: 'done', session: { name: 'split', connections: 1 }, problems: [] });
    expect((await exportOverApi(t.api)).har.replace(/"name": "split"/g, '')).toBe(readFileSync(path, 'utf8').replace(/"name": "live"/g, ''));
    await t.api.call('openSession', { name: 'live' });
  });

  it('cancels an upload when asked, leaving no session', async () => {
    const { jobId } = await t.api.call('startHarImport', { name: 'cancelled' });
    await t.api.call('writeHarImport', { jobId, text: '{"log": {"entries": [' });
    expect(await sessionNames()).toContain('cancelled');
    await t.api.call('cancelHarJob', { jobId });
    expect(await jobEnd(t.api, jobId)).toEqual({ kind: 'har-job', jobId, job: 'import', state: 'cancelled', done: 0, total: 0 });
    expect(await sessionNames()).not.toContain('cancelled');
  });

  it('cancels the jobs of a client that disconnects', async () => {
    const other = await ControlClient.connect(`ws://127.0.0.1:${t.control.port}/control?token=${t.control.token}`);
    const { jobId } = await other.call('startHarImport', { name: 'abandoned' });
    await other.call('writeHarImport', { jobId, text: '{"log": {"entries": [' });
    const exported = await other.call('startHarExport', {});
    await jobEnd(other, exported.jobId);
    expect(await sessionNames()).toContain('abandoned');
    other.close();
    for (let i = 0; i < 250 && (await sessionNames()).includes('abandoned'); i++) await new Promise((r) => setTimeout(r, 20));
    expect(await sessionNames()).not.toContain('abandoned');
    await expect(t.api.call('readHarExport', { jobId: exported.jobId, offset: 0 })).rejects.toThrow(`no finished HAR export ${exported.jobId}`);
  });

  it('forgets a finished export that is cancelled before it is read', async () => {
    const { jobId } = await t.api.call('startHarExport', {});
    expect(await jobEnd(t.api, jobId)).toMatchObject({ state: 'done' });
    expect((await t.api.call('readHarExport', { jobId, offset: 0 })).end).toBe(true);
    await t.api.call('cancelHarJob', { jobId });
    await expect(t.api.call('readHarExport', { jobId, offset: 0 })).rejects.toThrow(`no finished HAR export ${jobId}`);
  });

  it('refuses pieces for a job that does not wait for them', async () => {
    await expect(t.api.call('writeHarImport', { jobId: 999, text: '{}' })).rejects.toThrow('no HAR import 999 waiting for text');
    writeFileSync(join(t.dir, 'unused'), '');
    expect(existsSync(join(t.dir, 'unused'))).toBe(true);
  });
});
