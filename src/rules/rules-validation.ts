// Reads rules from JSON that a user wrote: every field is checked, and the first problem is refused
// with the rule and the field it is in ("rule "slow acks" (#2), actions[0].ms: must be a number of
// milliseconds, 0 or more"). A valid file round-trips: what comes out is what went in, normalised.
import { CompiledRule } from './rule-matcher.js';
import { parseJsonPath } from './json-path.js';
import { parsePointer } from './message-rewrite.js';
import { CONNECTION_ACTIONS, MESSAGE_ACTIONS, type Rule, type RuleAction } from './rule-types.js';

export class RulesError extends Error {
  constructor(
    /** The rule's name, or #N when it has none. */
    readonly rule: string | undefined,
    /** The field, as a path inside the rule (e.g. actions[0].ms). */
    readonly field: string,
    readonly problem: string,
  ) {
    super(rule === undefined ? `${field}: ${problem}` : `rule ${rule}, ${field}: ${problem}`);
    this.name = 'RulesError';
  }
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Parses a rules file's text; throws RulesError. */
export function parseRulesText(text: string): Rule[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new RulesError(undefined, 'file', `not JSON (${(error as Error).message})`);
  }
  return validateRules(json);
}

/** Checks {"rules": [...]} (or a bare array); throws RulesError naming the rule and the field. */
export function validateRules(json: unknown): Rule[] {
  const list = Array.isArray(json) ? json : isObj(json) ? json.rules : undefined;
  if (!Array.isArray(list)) throw new RulesError(undefined, 'rules', 'must be a list of rules ({"rules": [...]})');
  const names = new Set<string>();
  return list.map((raw, i) => {
    const label = isObj(raw) && typeof raw.name === 'string' && raw.name !== '' ? `"${raw.name}" (#${i + 1})` : `#${i + 1}`;
    const rule = validateRule(raw, label);
    if (names.has(rule.name)) throw new RulesError(label, 'name', 'another rule has this name; names mark what a rule did, so each is unique');
    names.add(rule.name);
    return rule;
  });
}

function validateRule(raw: unknown, label: string): Rule {
  const fail = (field: string, problem: string): never => {
    throw new RulesError(label, field, problem);
  };
  if (!isObj(raw)) return fail('rule', 'must be an object');
  known(raw, ['name', 'enabled', 'scope', 'match', 'actions'], '', fail);
  if (typeof raw.name !== 'string' || raw.name.trim() === '') fail('name', 'must be a non-empty string');
  if (raw.enabled !== undefined && typeof raw.enabled !== 'boolean') fail('enabled', 'must be true or false');
  const rule: Rule = { name: raw.name as string, enabled: raw.enabled !== false, actions: [] };
  if (raw.scope !== undefined) {
    if (!isObj(raw.scope)) fail('scope', 'must be an object');
    const scope = raw.scope as Obj;
    known(scope, ['url', 'host', 'direction'], 'scope.', fail);
    for (const k of ['url', 'host'] as const) if (scope[k] !== undefined && typeof scope[k] !== 'string') fail(`scope.${k}`, 'must be a string (a substring, or /regex/)');
    if (scope.direction !== undefined && !['send', 'receive', 'both'].includes(scope.direction as string)) fail('scope.direction', 'must be "send", "receive" or "both"');
    rule.scope = scope as Rule['scope'];
  }
  if (raw.match !== undefined) {
    if (!isObj(raw.match)) fail('match', 'must be an object');
    const match = raw.match as Obj;
    known(match, ['opcode', 'contains', 'regex', 'json', 'protocol'], 'match.', fail);
    if (match.opcode !== undefined && match.opcode !== 1 && match.opcode !== 2) fail('match.opcode', 'must be 1 (text) or 2 (binary)');
    for (const k of ['contains', 'regex', 'protocol'] as const) if (match[k] !== undefined && typeof match[k] !== 'string') fail(`match.${k}`, k === 'protocol' ? 'must be a protocol filter (a string such as "socket.io.event:chat")' : 'must be a string');
    if (match.json !== undefined) {
      if (!isObj(match.json)) fail('match.json', 'must be an object');
      const o = match.json as Obj;
      known(o, ['path', 'equals', 'matches'], 'match.json.', fail);
      if (typeof o.path !== 'string') fail('match.json.path', 'must be a string');
      try {
        parseJsonPath(o.path as string);
      } catch (error) {
        fail('match.json.path', (error as Error).message);
      }
      if (o.matches !== undefined && typeof o.matches !== 'string') fail('match.json.matches', 'must be a regular expression (a string)');
    }
    rule.match = match as Rule['match'];
  }
  if (!Array.isArray(raw.actions) || raw.actions.length === 0) fail('actions', 'must be a list of at least one action');
  rule.actions = (raw.actions as unknown[]).map((a, i) => validateAction(a, `actions[${i}]`, fail));
  // Patterns compile the way the engine will compile them.
  try {
    new CompiledRule(rule);
  } catch (error) {
    const message = (error as Error).message;
    const colon = message.indexOf(': ');
    fail(message.slice(0, colon), message.slice(colon + 2));
  }
  return rule;
}

function validateAction(raw: unknown, at: string, fail: (field: string, problem: string) => never): RuleAction {
  if (!isObj(raw)) return fail(at, 'must be an object with a type');
  const type = raw.type;
  const all: readonly string[] = [...MESSAGE_ACTIONS, ...CONNECTION_ACTIONS];
  if (typeof type !== 'string' || !all.includes(type)) return fail(`${at}.type`, `must be one of ${all.join(', ')}`);
  const ms = (k: string, required: boolean) => {
    const v = raw[k];
    if (v === undefined && !required) return;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) fail(`${at}.${k}`, 'must be a number of milliseconds, 0 or more');
  };
  const str = (k: string, required: boolean) => {
    if ((raw[k] === undefined && required) || (raw[k] !== undefined && typeof raw[k] !== 'string')) fail(`${at}.${k}`, 'must be a string');
  };
  const bool = (k: string) => {
    if (raw[k] !== undefined && typeof raw[k] !== 'boolean') fail(`${at}.${k}`, 'must be true or false');
  };
  const count = (k: string, required: boolean) => {
    const v = raw[k];
    if (v === undefined && !required) return;
    if (!Number.isInteger(v) || (v as number) < 1) fail(`${at}.${k}`, 'must be a whole number, 1 or more');
  };
  const closeCode = (k: string) => {
    const v = raw[k];
    if (v !== undefined && (!Number.isInteger(v) || (v as number) < 1000 || (v as number) > 4999)) fail(`${at}.${k}`, 'must be a close code from 1000 to 4999');
  };
  const fields: Record<string, string[]> = {
    rewrite: ['regex', 'replace', 'flags', 'mergePatch', 'jsonPatch', 'payload', 'base64'],
    delay: ['ms', 'jitter'], drop: [], duplicate: ['count'], reply: ['payload', 'base64', 'forward'], close: ['code', 'reason'], abort: [], breakpoint: [],
    refuseHandshake: ['status', 'body'], delayHandshake: ['ms'], holdHandshake: [], dropConnection: ['afterMessages', 'afterMs', 'close'],
    throttle: ['bytesPerSecond'], latency: ['ms'], serveFromRecording: ['source', 'connection', 'timing', 'match'],
  };
  known(raw, ['type', ...fields[type]!], `${at}.`, fail);
  switch (type) {
    case 'rewrite': {
      const kinds = ['regex', 'mergePatch', 'jsonPatch', 'payload'].filter((k) => raw[k] !== undefined);
      if (kinds.length !== 1) fail(at, 'a rewrite has exactly one of regex (with replace), mergePatch, jsonPatch or payload');
      if (raw.regex !== undefined) {
        str('regex', true);
        str('replace', true);
        str('flags', false);
        try {
          new RegExp(raw.regex as string, (raw.flags as string | undefined) ?? 'g');
        } catch (error) {
          fail(`${at}.regex`, (error as Error).message);
        }
      }
      if (raw.jsonPatch !== undefined) {
        if (!Array.isArray(raw.jsonPatch)) fail(`${at}.jsonPatch`, 'must be a list of RFC 6902 operations');
        (raw.jsonPatch as unknown[]).forEach((op, i) => {
          const f = `${at}.jsonPatch[${i}]`;
          if (!isObj(op) || !['add', 'remove', 'replace', 'move', 'copy', 'test'].includes(op.op as string)) fail(`${f}.op`, 'must be add, remove, replace, move, copy or test');
          const o = op as Obj;
          for (const k of ['path', ...(o.op === 'move' || o.op === 'copy' ? ['from'] : [])]) {
            try {
              if (typeof o[k] !== 'string') throw new Error('must be a JSON pointer (a string)');
              parsePointer(o[k] as string);
            } catch (error) {
              fail(`${f}.${k}`, (error as Error).message);
            }
          }
          if (['add', 'replace', 'test'].includes(o.op as string) && !('value' in o)) fail(`${f}.value`, 'is required for this operation');
        });
      }
      if (raw.payload !== undefined) {
        str('payload', true);
        bool('base64');
      }
      break;
    }
    case 'delay': ms('ms', true); ms('jitter', false); break;
    case 'duplicate': count('count', false); break;
    case 'reply': str('payload', true); bool('base64'); bool('forward'); break;
    case 'close': closeCode('code'); str('reason', false); if (raw.reason !== undefined && Buffer.byteLength(raw.reason as string) > 123) fail(`${at}.reason`, 'must be at most 123 bytes (RFC 6455 section 5.5)'); break;
    case 'refuseHandshake': {
      const s = raw.status;
      if (!Number.isInteger(s) || (s as number) < 200 || (s as number) > 599 || s === 101) fail(`${at}.status`, 'must be an HTTP status from 200 to 599');
      str('body', false);
      break;
    }
    case 'delayHandshake': ms('ms', true); break;
    case 'dropConnection': {
      count('afterMessages', false);
      ms('afterMs', false);
      if (raw.afterMessages === undefined && raw.afterMs === undefined) fail(at, 'a dropConnection needs afterMessages or afterMs');
      if (raw.close !== undefined) {
        if (!isObj(raw.close)) fail(`${at}.close`, 'must be an object ({code, reason}) or left out for a TCP reset');
        const c = raw.close as Obj;
        known(c, ['code', 'reason'], `${at}.close.`, fail);
        if (c.code !== undefined && (!Number.isInteger(c.code) || (c.code as number) < 1000 || (c.code as number) > 4999)) fail(`${at}.close.code`, 'must be a close code from 1000 to 4999');
        if (c.reason !== undefined && typeof c.reason !== 'string') fail(`${at}.close.reason`, 'must be a string');
      }
      break;
    }
    case 'throttle': {
      const v = raw.bytesPerSecond;
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 1) fail(`${at}.bytesPerSecond`, 'must be a number of bytes a second, 1 or more');
      break;
    }
    case 'latency': ms('ms', true); break;
    case 'serveFromRecording':
      str('source', true);
      count('connection', false);
      if (raw.timing !== undefined && raw.timing !== 'recorded' && raw.timing !== 'fast') fail(`${at}.timing`, 'must be "recorded" or "fast"');
      if (raw.match !== undefined && !['content', 'protocol', 'order'].includes(raw.match as string)) fail(`${at}.match`, 'must be "content", "protocol" or "order"');
      break;
  }
  return raw as unknown as RuleAction;
}

function known(o: Obj, keys: string[], prefix: string, fail: (field: string, problem: string) => never): void {
  for (const k of Object.keys(o)) if (!keys.includes(k)) fail(`${prefix}${k}`, `is not a field here (expected ${keys.join(', ') || 'none'})`);
}
