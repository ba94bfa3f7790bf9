// The Rules view's form for a new rule: plain strings as typed, turned into a rule (one action) that
// the engine then checks. Numbers that do not parse stay strings, so the engine names the field.
import type { Rule, RuleAction } from '../../api/wire.js';

export const ACTION_TYPES = [
  ['rewrite', 'Rewrite'], ['delay', 'Delay'], ['drop', 'Drop'], ['duplicate', 'Duplicate'], ['reply', 'Reply'], ['close', 'Close'], ['abort', 'Abort (TCP reset)'], ['breakpoint', 'Breakpoint'],
  ['refuseHandshake', 'Refuse the handshake'], ['delayHandshake', 'Delay the handshake'], ['dropConnection', 'Cut the connection'], ['throttle', 'Throttle'], ['latency', 'Latency'],
  ['serveFromRecording', 'Serve from a recording'],
] as const;

export type ActionType = (typeof ACTION_TYPES)[number][0];

export interface RuleForm {
  name: string;
  direction: 'both' | 'send' | 'receive';
  url: string;
  contains: string;
  regex: string;
  jsonPath: string;
  /** JSON text of the value the path must equal ('' for "exists"). */
  jsonEquals: string;
  action: ActionType;
  /** rewrite: regex, mergePatch or payload. */
  rewriteKind: 'regex' | 'mergePatch' | 'payload';
  /** The action's first value: pattern, payload, patch, ms, count, code, status, messages, rate. */
  value: string;
  /** The action's second value: replacement, jitter, reason, body, after ms. */
  second: string;
  /** reply: forward the original too. */
  forward: boolean;
}

export const emptyForm: RuleForm = {
  name: '', direction: 'both', url: '', contains: '', regex: '', jsonPath: '', jsonEquals: '',
  action: 'drop', rewriteKind: 'regex', value: '', second: '', forward: true,
};

/** What the action's two fields mean, for their labels; undefined: the action has no such field. */
export function fieldLabels(form: Pick<RuleForm, 'action' | 'rewriteKind'>): [string | undefined, string | undefined] {
  switch (form.action) {
    case 'rewrite': return form.rewriteKind === 'regex' ? ['Pattern', 'Replacement'] : form.rewriteKind === 'mergePatch' ? ['JSON merge patch', undefined] : ['New payload', undefined];
    case 'delay': return ['Delay (ms)', 'Jitter (ms)'];
    case 'duplicate': return ['Copies', undefined];
    case 'reply': return ['Reply ({{text}}, {{json.id}})', undefined];
    case 'close': return ['Close code', 'Reason'];
    case 'refuseHandshake': return ['Status', 'Body'];
    case 'delayHandshake': return ['Delay (ms)', undefined];
    case 'dropConnection': return ['After messages', 'After ms'];
    case 'throttle': return ['Bytes per second', undefined];
    case 'latency': return ['Latency (ms)', undefined];
    case 'serveFromRecording': return ['Session name or HAR file', 'Connection'];
    default: return [undefined, undefined];
  }
}

/** A number as typed, or the text itself (the engine then says what is wrong with it). */
function num(text: string): number {
  const t = text.trim();
  return (t !== '' && Number.isFinite(Number(t)) ? Number(t) : t) as number;
}

function json(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export function actionOf(form: RuleForm): RuleAction {
  const { value, second } = form;
  switch (form.action) {
    case 'rewrite':
      if (form.rewriteKind === 'regex') return { type: 'rewrite', regex: value, replace: second };
      if (form.rewriteKind === 'mergePatch') return { type: 'rewrite', mergePatch: json(value) };
      return { type: 'rewrite', payload: value };
    case 'delay': return { type: 'delay', ms: num(value), ...(second.trim() ? { jitter: num(second) } : {}) };
    case 'duplicate': return { type: 'duplicate', ...(value.trim() ? { count: num(value) } : {}) };
    case 'reply': return { type: 'reply', payload: value, ...(form.forward ? {} : { forward: false }) };
    case 'close': return { type: 'close', ...(value.trim() ? { code: num(value) } : {}), ...(second ? { reason: second } : {}) };
    case 'refuseHandshake': return { type: 'refuseHandshake', status: num(value), ...(second ? { body: second } : {}) };
    case 'delayHandshake': return { type: 'delayHandshake', ms: num(value) };
    case 'dropConnection': return { type: 'dropConnection', ...(value.trim() ? { afterMessages: num(value) } : {}), ...(second.trim() ? { afterMs: num(second) } : {}) };
    case 'throttle': return { type: 'throttle', bytesPerSecond: num(value) };
    case 'latency': return { type: 'latency', ms: num(value) };
    case 'serveFromRecording': return { type: 'serveFromRecording', source: value, ...(second.trim() ? { connection: num(second) } : {}) };
    default: return { type: form.action };
  }
}

export function ruleOf(form: RuleForm): Rule {
  const match: NonNullable<Rule['match']> = {};
  if (form.contains) match.contains = form.contains;
  if (form.regex) match.regex = form.regex;
  if (form.jsonPath) match.json = { path: form.jsonPath, ...(form.jsonEquals.trim() ? { equals: json(form.jsonEquals) } : {}) };
  return {
    name: form.name.trim(),
    enabled: true,
    scope: { ...(form.url ? { url: form.url } : {}), direction: form.direction },
    ...(Object.keys(match).length > 0 ? { match } : {}),
    actions: [actionOf(form)],
  };
}
