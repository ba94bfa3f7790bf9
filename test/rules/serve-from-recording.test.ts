// The rule action "serve from recording": a conversation recorded through the proxy and saved as HAR,
// then a rule serves that URL from it while its server is gone; the client gets the recorded answers.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { exportHar } from '../../src/capture/har-export.js';
import { closed, opened, startWsServer, wsViaAbsoluteForm } from '../support/peers.js';
import { startRulesEngine, until, writeRules, type RulesEngine } from './support/rules-engine.js';

let e: RulesEngine;
afterEach(async () => e?.close());

describe('serve from recording', () => {
  it('answers a client from a recording when a rule says so, with no server behind the URL', async () => {
    e = await startRulesEngine([]);
    const server = await startWsServer();
    server.wss.on('connection', (ws) => ws.on('message', (data) => ws.send(`answer to ${data.toString()}`)));
    const url = `ws://127.0.0.1:${server.port}/orders`;
    const recording = wsViaAbsoluteForm(e.t.proxyPort, url);
    await opened(recording);
    const got: string[] = [];
    recording.on('message', (d) => got.push(d.toString()));
    for (const text of ['one', 'two']) {
      recording.send(text);
      await until(() => got.length === (text === 'one' ? 1 : 2), 'the answer');
    }
    recording.close(1000);
    await closed(recording);
    await until(() => e.t.engine.store.connections()[0]?.state === 'closed', 'the connection closed');
    const har = join(e.rulesPath, '..', 'orders.har');
    writeFileSync(har, JSON.stringify(exportHar(e.t.engine.store.toConnectionRecords())), { mode: 0o600 });
    await server.close();

    writeRules(e.rulesPath, [{ name: 'offline orders', scope: { url: '/orders' }, actions: [{ type: 'serveFromRecording', source: har, timing: 'fast', match: 'content' }] }]);
    await until(() => e.t.engine.proxy.rules.rules().length === 1, 'the reload');
    const client = wsViaAbsoluteForm(e.t.proxyPort, url);
    await opened(client);
    const answers: string[] = [];
    client.on('message', (d) => answers.push(d.toString()));
    client.send('two');
    client.send('one');
    await until(() => answers.length === 2, 'the recorded answers');
    expect(answers).toEqual(['answer to two', 'answer to one']);
    client.terminate();
    const served = e.t.engine.store.connections()[1]!;
    expect([served.response?.statusCode, served.serverAddress]).toEqual([101, `mock of ${har}, connection 1`]);
  });
});
