// The Rules view's form: what it makes of what the user typed (the engine checks the result).
import { describe, expect, it } from 'vitest';
import { emptyForm, fieldLabels, ruleOf } from '../../../renderer/src/views/rules/rule-form.js';

describe('the new-rule form', () => {
  it('makes a scoped rewrite with a JSON match', () => {
    expect(ruleOf({ ...emptyForm, name: ' tag ', direction: 'receive', url: '/feed', jsonPath: '$.kind', jsonEquals: '"news"', action: 'rewrite', rewriteKind: 'mergePatch', value: '{"seen":true}' })).toEqual({
      name: 'tag', enabled: true, scope: { url: '/feed', direction: 'receive' }, match: { json: { path: '$.kind', equals: 'news' } }, actions: [{ type: 'rewrite', mergePatch: { seen: true } }],
    });
  });

  it('keeps what does not parse as typed, so the engine names the field', () => {
    expect(ruleOf({ ...emptyForm, name: 'lag', action: 'delay', value: 'soon' }).actions).toEqual([{ type: 'delay', ms: 'soon' }]);
  });

  it('serves from a recording, with the connection when given', () => {
    expect(fieldLabels({ action: 'serveFromRecording', rewriteKind: 'regex' })).toEqual(['Session name or HAR file', 'Connection']);
    expect(ruleOf({ ...emptyForm, name: 'offline', action: 'serveFromRecording', value: 'checkout', second: '3' }).actions).toEqual([{ type: 'serveFromRecording', source: 'checkout', connection: 3 }]);
    expect(ruleOf({ ...emptyForm, name: 'r', action: 'reply', value: 'pong {{json.id}}', forward: false }).actions).toEqual([{ type: 'reply', payload: 'pong {{json.id}}', forward: false }]);
  });
});
