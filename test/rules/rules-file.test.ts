// Rules files: checked with errors that name the rule and the field, reloaded when they change (a bad
// change keeps the rules in force and is reported), saved 0600 from the control API, and loaded by
// `framescope proxy --rules FILE`.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeFrameBytes } from '../../src/protocol/frame-encoder.js';
import { Engine } from '../../src/engine.js';
import { parseRulesText, validateRules } from '../../src/rules/rules-validation.js';
import { BIN, exited, startProxyProcess } from '../support/cli.js';
import { rawClientHandshake, startRawServer } from '../support/peers.js';
import { connect, startRulesEngine, until, writeRules, type RulesEngine } from './support/rules-engine.js';

const fromServer = (payload: string) => encodeFrameBytes({ opcode: 1, payload });
const problem = (json: unknown) => {
  try {
    validateRules(json);
  } catch (error) {
    return (error as Error).message;
  }
  return 'valid';
};

describe('validation', () => {
  it('names the rule and the field of the first problem', () => {
    const ok = { name: 'ok', actions: [{ type: 'drop' }] };
    expect(problem({ rules: [ok, { name: 'slow', actions: [{ type: 'delay', ms: -1 }] }] })).toBe('rule "slow" (#2), actions[0].ms: must be a number of milliseconds, 0 or more');
    expect(problem({ rules: [{ name: 'r', match: { regex: '(' }, actions: [{ type: 'drop' }] }] })).toMatch(/^rule "r" \(#1\), match\.regex: Invalid regular expression/);
    expect(problem({ rules: [{ name: 'r', match: { json: { path: 'type' } }, actions: [{ type: 'drop' }] }] })).toBe('rule "r" (#1), match.json.path: must start with $');
    expect(problem({ rules: [{ actions: [{ type: 'drop' }] }] })).toBe('rule #1, name: must be a non-empty string');
    expect(problem({ rules: [{ name: 'r', actions: [] }] })).toBe('rule "r" (#1), actions: must be a list of at least one action');
    expect(problem({ rules: [{ name: 'r', actions: [{ type: 'explode' }] }] })).toMatch(/^rule "r" \(#1\), actions\[0\]\.type: must be one of rewrite, delay, drop/);
    expect(problem({ rules: [{ name: 'r', actions: [{ type: 'close', code: 999 }] }] })).toBe('rule "r" (#1), actions[0].code: must be a close code from 1000 to 4999');
    expect(problem({ rules: [{ name: 'r', actions: [{ type: 'refuseHandshake', status: 101 }] }] })).toBe('rule "r" (#1), actions[0].status: must be an HTTP status from 200 to 599');
    expect(problem({ rules: [{ name: 'r', actions: [{ type: 'rewrite', regex: 'a' }] }] })).toBe('rule "r" (#1), actions[0].replace: must be a string');
    expect(problem({ rules: [{ name: 'r', actions: [{ type: 'rewrite', jsonPatch: [{ op: 'add', path: 'x', value: 1 }] }] }] })).toBe('rule "r" (#1), actions[0].jsonPatch[0].path: a JSON pointer starts with /: "x"');
    expect(problem({ rules: [{ name: 'r', actions: [{ type: 'dropConnection' }] }] })).toBe('rule "r" (#1), actions[0]: a dropConnection needs afterMessages or afterMs');
    expect(problem({ rules: [{ name: 'r', scope: { direction: 'up' }, actions: [{ type: 'drop' }] }] })).toBe('rule "r" (#1), scope.direction: must be "send", "receive" or "both"');
    expect(problem({ rules: [{ name: 'r', actions: [{ type: 'drop', ms: 1 }] }] })).toBe('rule "r" (#1), actions[0].ms: is not a field here (expected type)');
    expect(problem({ rules: [ok, ok] })).toBe('rule "ok" (#2), name: another rule has this name; names mark what a rule did, so each is unique');
    expect(problem({ rule: [] })).toBe('rules: must be a list of rules ({"rules": [...]})');
    expect(() => parseRulesText('{"rules": [')).toThrow(/^file: not JSON/);
  });

  it('round-trips a valid file without loss', () => {
    const rules = [
      { name: 'a', enabled: false, scope: { url: '/chat', host: 'example', direction: 'send' }, match: { opcode: 1, contains: 'x', regex: '/^x/i', json: { path: '$.a[0]', equals: { b: 1 } } }, actions: [{ type: 'rewrite', jsonPatch: [{ op: 'add', path: '/c', value: 1 }] }, { type: 'delay', ms: 5, jitter: 2 }] },
      { name: 'b', enabled: true, actions: [{ type: 'throttle', bytesPerSecond: 100 }, { type: 'dropConnection', afterMs: 10, close: { code: 4000, reason: 'r' } }] },
    ];
    expect(validateRules(JSON.parse(JSON.stringify({ rules })))).toEqual(rules);
  });
});

describe('rules files in an engine', () => {
  let e: RulesEngine;
  afterEach(async () => e?.close());

  it('reloads when the file changes: the next message of a live connection follows the new rules', async () => {
    e = await startRulesEngine([{ name: 'one', scope: { direction: 'receive' }, actions: [{ type: 'rewrite', payload: 'ONE' }] }]);
    const { client, upstream } = await connect(e);
    upstream.socket.write(fromServer('a'));
    expect((await client.waitForBytes(fromServer('ONE').length)).equals(fromServer('ONE'))).toBe(true);
    writeRules(e.rulesPath, [{ name: 'two', scope: { direction: 'receive' }, actions: [{ type: 'rewrite', payload: 'TWO' }] }]);
    await until(() => e.t.engine.proxy.rules.rules()[0]?.name === 'two', 'the reload');
    upstream.socket.write(fromServer('b'));
    const expected = Buffer.concat([fromServer('ONE'), fromServer('TWO')]);
    expect((await client.waitForBytes(expected.length)).equals(expected)).toBe(true);
    expect(await e.t.api.call('getRules', {})).toEqual({
      path: e.rulesPath,
      rules: [{ name: 'two', enabled: true, scope: { direction: 'receive' }, actions: [{ type: 'rewrite', payload: 'TWO' }] }],
      explained: ['Server-to-client messages: replace the payload with "TWO".'],
    });
  });

  it('keeps the rules in force when a change is invalid, and reports the rule and field in the error log and to the UI', async () => {
    e = await startRulesEngine([{ name: 'one', scope: { direction: 'receive' }, actions: [{ type: 'rewrite', payload: 'ONE' }] }]);
    writeRules(e.rulesPath, [{ name: 'broken', actions: [{ type: 'delay' }] }]);
    const expected = `the rules file ${e.rulesPath} was not reloaded, the earlier rules stay in force: rule "broken" (#1), actions[0].ms: must be a number of milliseconds, 0 or more`;
    await until(() => e.t.engine.store.errors().some((x) => x.message === expected), 'the reported error');
    const state = await e.t.api.call('getRules', {});
    expect([state.rules.map((r) => r.name), state.error]).toEqual([['one'], expected]);
    const { client, upstream } = await connect(e);
    upstream.socket.write(fromServer('a'));
    expect((await client.waitForBytes(fromServer('ONE').length)).equals(fromServer('ONE'))).toBe(true);
  });

  it('saves rules from the control API with mode 0600 and puts them in force; refuses an invalid one naming it', async () => {
    e = await startRulesEngine([]);
    const rules = [{ name: 'x', enabled: true, actions: [{ type: 'drop' as const }] }];
    const state = await e.t.api.call('setRules', { rules });
    expect(state).toEqual({ path: e.rulesPath, rules, explained: ['Messages: drop.'] });
    expect(statSync(e.rulesPath).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(e.rulesPath, 'utf8'))).toEqual({ rules });
    await expect(e.t.api.call('setRules', { rules: [{ name: 'bad', enabled: true, actions: [{ type: 'delay', ms: 'soon' }] }] as never })).rejects.toThrow('rule "bad" (#1), actions[0].ms: must be a number of milliseconds, 0 or more');
    expect(e.t.engine.proxy.rules.rules()).toEqual(rules);
  });

  it('refuses to start on an invalid file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'framescope-rules-'));
    try {
      writeRules(join(dir, 'rules.json'), [{ name: 'r', scope: { url: '/(/' }, actions: [{ type: 'drop' }] }]);
      await expect(Engine.start({ sessionsDir: join(dir, 'sessions'), proxy: { port: 0 }, rulesFile: { path: join(dir, 'rules.json') } })).rejects.toThrow(/^rule "r" \(#1\), scope\.url: Invalid regular expression/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('framescope proxy --rules', () => {
  it('exits 1 naming the rule and the field of an invalid file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'framescope-rules-'));
    try {
      writeFileSync(join(dir, 'rules.json'), JSON.stringify({ rules: [{ name: 'late', actions: [{ type: 'latency', ms: 'x' }] }] }));
      const r = spawnSync(process.execPath, [BIN, 'proxy', '--port', '0', '--rules', join(dir, 'rules.json')], { encoding: 'utf8', env: { ...process.env, FRAMESCOPE_HOME: dir } });
      expect(r.status).toBe(1);
      expect(r.stderr).toContain('rule "late" (#1), actions[0].ms: must be a number of milliseconds, 0 or more');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('applies the rules of the file it is given', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'framescope-rules-'));
    const server = await startRawServer();
    writeRules(join(dir, 'rules.json'), [{ name: 'shout', scope: { direction: 'receive' }, actions: [{ type: 'rewrite', regex: 'hi', replace: 'HI' }] }]);
    const { child, port } = await startProxyProcess(['--rules', join(dir, 'rules.json')], { ...process.env, FRAMESCOPE_HOME: dir });
    try {
      const { peer } = await rawClientHandshake(port, `ws://127.0.0.1:${server.port}/`, `127.0.0.1:${server.port}`);
      const upstream = await server.nextConnection();
      upstream.socket.write(fromServer('hi there'));
      expect((await peer.waitForBytes(fromServer('HI there').length)).equals(fromServer('HI there'))).toBe(true);
      peer.socket.destroy();
    } finally {
      child.kill('SIGTERM');
      await exited(child);
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
