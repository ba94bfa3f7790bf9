// Beside the session's name: how much of its traffic the browsed session holds, when it is not all of
// it (recorded under the headers or off policy for all or part of the time).
import { useApp } from '../app-context.js';
import { useStore } from '../use-store.js';
import { policyTitle } from './RecordPolicyControl.js';

export function RecordPolicyBadge() {
  const { session } = useApp();
  useStore(session);
  const policies = session.session?.recordPolicies ?? [];
  if (!policies.some((p) => p.mode !== 'full')) return null;
  const last = policies[policies.length - 1]!;
  const word = (p: { mode: string; prefixBytes: number }) => (p.mode === 'headers' ? `headers only (first ${p.prefixBytes} B of payloads)` : p.mode === 'off' ? 'not recording frames' : 'full');
  const text = policies.length === 1 || policies.every((p) => p.mode === last.mode && p.prefixBytes === last.prefixBytes)
    ? `Recorded: ${word(last)}`
    : `Recorded: ${policies.map((p) => (p.mode === 'headers' ? `headers ${p.prefixBytes} B` : p.mode)).join(' → ')}`;
  const history = policies.map((p) => `${new Date(p.time).toLocaleTimeString()}: ${policyTitle(p.mode, p.prefixBytes)}`).join('\n');
  return <span className="tag tag-policy" data-testid="record-policy-badge" title={history}>{text}</span>;
}
