// A rule in words, for the Rules view (mockttp's explain()): "Receive messages of URLs containing
// /chat whose JSON $.type equals "ping": delay 100 ms, then drop."
import type { Rule, RuleAction } from './rule-types.js';

export function explainRule(rule: Rule): string {
  const scope = rule.scope ?? {};
  const match = rule.match ?? {};
  const direction = scope.direction === 'send' ? 'Client-to-server messages' : scope.direction === 'receive' ? 'Server-to-client messages' : 'Messages';
  const where: string[] = [];
  if (scope.url !== undefined) where.push(`of URLs ${pattern(scope.url)}`);
  if (scope.host !== undefined) where.push(`of hosts ${pattern(scope.host)}`);
  const what: string[] = [];
  if (match.opcode !== undefined) what.push(match.opcode === 1 ? 'text' : 'binary');
  if (match.contains !== undefined) what.push(`containing "${match.contains}"`);
  if (match.regex !== undefined) what.push(`matching ${match.regex}`);
  if (match.json) what.push(`whose JSON ${match.json.path} ${valueTest(match.json.equals, match.json.matches)}`);
  if (match.protocol) what.push(`with ${match.protocol}`);
  const subject = [direction, ...where, ...what].join(' ');
  return `${subject}: ${rule.actions.map(explainAction).join(', then ')}.`;
}

function pattern(p: string): string {
  return /^\/.*\/[a-z]*$/s.test(p) ? `matching ${p}` : `containing "${p}"`;
}

function valueTest(equals: unknown, matches: string | undefined): string {
  if (matches !== undefined) return `matches ${matches}`;
  if (equals === undefined) return 'exists';
  return `equals ${JSON.stringify(equals)}`;
}

export function explainAction(a: RuleAction): string {
  switch (a.type) {
    case 'rewrite':
      if ('regex' in a) return `replace /${a.regex}/ with "${a.replace}"`;
      if ('mergePatch' in a) return `merge ${JSON.stringify(a.mergePatch)} into the JSON`;
      if ('jsonPatch' in a) return `apply a JSON patch of ${a.jsonPatch.length} operation${a.jsonPatch.length === 1 ? '' : 's'}`;
      return a.base64 ? `replace the payload with ${Buffer.from(a.payload, 'base64').length} bytes` : `replace the payload with "${a.payload}"`;
    case 'delay': return `delay ${a.ms} ms${a.jitter ? ` (up to ${a.jitter} ms more)` : ''}`;
    case 'drop': return 'drop';
    case 'duplicate': return `send ${a.count ?? 1} cop${(a.count ?? 1) === 1 ? 'y' : 'ies'} more`;
    case 'reply': return `reply "${a.payload}"${a.forward === false ? ' instead of forwarding' : ''}`;
    case 'close': return `close with ${a.code ?? 'no code'}${a.reason ? ` "${a.reason}"` : ''}`;
    case 'abort': return 'reset both TCP connections';
    case 'breakpoint': return 'hold for me (breakpoint)';
    case 'refuseHandshake': return `refuse the handshake with ${a.status}`;
    case 'delayHandshake': return `delay the handshake ${a.ms} ms`;
    case 'holdHandshake': return 'hold the handshake for me';
    case 'dropConnection': {
      const when = [a.afterMessages !== undefined ? `after ${a.afterMessages} message${a.afterMessages === 1 ? '' : 's'}` : '', a.afterMs !== undefined ? `after ${a.afterMs} ms` : ''].filter(Boolean).join(' or ');
      return `cut the connection ${when}${a.close ? ` with close ${a.close.code ?? ''}`.trimEnd() : ' (TCP reset)'}`;
    }
    case 'throttle': return `throttle to ${a.bytesPerSecond} bytes/s`;
    case 'latency': return `add ${a.ms} ms to every frame`;
    case 'serveFromRecording': return `serve it from the recording ${a.source}${a.connection !== undefined ? ` (connection ${a.connection})` : ''}`;
  }
}
