// The Intercept section of "How to connect": each way of intercepting a client with one action
// (launch a browser, copy a command, copy a shell's environment) and the launches whose clients are
// coming through now, told apart by the launch tag in their proxy credentials.
import { useEffect, useState } from 'react';
import type { InterceptSetup, LaunchInfo } from '../../api/wire.js';
import { useApp } from '../app-context.js';
import { Icon } from '../common/Icon.js';
import { Tabs } from '../common/Tabs.js';
import { copyText } from '../clipboard.js';
import { envLines, SHELL_DIALECTS, type ShellDialect } from './env-lines.js';

/** How often the list of launches is read again while the dialog is open, ms. */
const LAUNCHES_REFRESH_MS = 2000;

export function InterceptSection() {
  const app = useApp();
  const [setup, setSetup] = useState<InterceptSetup | undefined>();
  const [launches, setLaunches] = useState<LaunchInfo[]>([]);
  const [dialect, setDialect] = useState<ShellDialect>('bash');
  const [problem, setProblem] = useState<string | undefined>();

  useEffect(() => {
    let live = true;
    app.client.request('interceptSetup', {}).then((s) => { if (live) setSetup(s); }, (e: Error) => { if (live) setProblem(e.message); });
    const read = () => app.client.request('listLaunches', {}).then((l) => { if (live) setLaunches(l); }, () => {});
    void read();
    const timer = setInterval(() => void read(), LAUNCHES_REFRESH_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [app]);

  if (problem) return <p className="error">{problem}</p>;
  if (!setup) return <p className="muted">Loading…</p>;
  const copy = (text: string) => void copyText(text).then(() => app.view.notify('Copied'));
  const launch = (kind: 'chromium' | 'firefox') => {
    app.client.request('launchBrowser', { kind }).then(({ path }) => app.view.notify(`Opened ${path}`), (e: Error) => app.view.notify(e.message));
  };
  const of = (kind: string) => launches.filter((l) => l.kind === kind);
  const browser = (kind: 'chromium' | 'firefox') => setup.browsers.find((b) => b.kind === kind);
  const shellCommand = `framescope shell --proxy ${setup.proxy}`;
  const runCommand = `framescope run --proxy ${setup.proxy} -- your-command --its-options`;
  const electronCommand = `framescope run --proxy ${setup.proxy} --electron /path/to/app`;

  return (
    <div className="intercept-ways">
      <Way title="Chromium" description="A fresh profile through the proxy, loopback included, accepting Framescope's certificates.">
        <LaunchButton label="Launch Chromium" found={browser('chromium')} onLaunch={() => launch('chromium')} />
      </Way>
      <Way title="Firefox" description="A fresh profile through the proxy, loopback included, with the CA trusted in that profile only.">
        <LaunchButton label="Launch Firefox" found={browser('firefox')} onLaunch={() => launch('firefox')} />
      </Way>
      <Way title="A terminal" description="Your shell, with every program started from it going through the proxy. Or paste the environment into a shell you have open." launches={of('shell')}>
        <CommandLine text={shellCommand} onCopy={copy} label="Copy the shell command" />
        <Tabs<ShellDialect> tabs={SHELL_DIALECTS} active={dialect} onChange={setDialect} />
        <div className="snippet" data-dialect={dialect}>
          <pre>{envLines(setup.variables, dialect)}</pre>
          <button className="icon-button" title="Copy" aria-label={`Copy the ${dialect} lines`} onClick={() => copy(envLines(setup.variables, dialect))}><Icon name="copy" size={14} /></button>
        </div>
      </Way>
      <Way title="Any program" description="Node (no code change: http, https, ws, socket.io-client, fetch), Python, curl, git, Java and whatever they start." launches={of('run')}>
        <CommandLine text={runCommand} onCopy={copy} label="Copy the run command" />
      </Way>
      {/* Chromium (inside Electron) sends no proxy credentials, so its connections cannot be told apart by launch. */}
      <Way title="An Electron app" description="Starts the app with the proxy and Framescope's certificates accepted, for that app only. Its connections appear in the list like any other; they are not told apart by launch.">
        <CommandLine text={electronCommand} onCopy={copy} label="Copy the Electron command" />
      </Way>
    </div>
  );
}

function Way({ title, description, launches, children }: { title: string; description: string; launches?: LaunchInfo[]; children: React.ReactNode }) {
  return (
    <section className="intercept-way" aria-label={title}>
      <h3>{title}</h3>
      <p className="muted small">{description}</p>
      {children}
      {launches ? <Connected launches={launches} /> : null}
    </section>
  );
}

function Connected({ launches }: { launches: LaunchInfo[] }) {
  if (launches.length === 0) return <p className="muted small intercept-connected">No clients through this yet.</p>;
  return (
    <ul className="intercept-connected" aria-label="Connected through this">
      {launches.map((l) => (
        <li key={`${l.kind}.${l.program ?? ''}:${l.id}`}>
          <code>{l.program ?? l.kind}</code> ({l.id}): {l.openTunnels} open tunnel{l.openTunnels === 1 ? '' : 's'}
          {l.connectionIds.length > 0 ? `, WebSocket connection${l.connectionIds.length === 1 ? '' : 's'} ${l.connectionIds.map((id) => `#${id}`).join(' ')}` : ''}
        </li>
      ))}
    </ul>
  );
}

function LaunchButton({ label, found, onLaunch }: { label: string; found: InterceptSetup['browsers'][number] | undefined; onLaunch: () => void }) {
  return (
    <>
      <button className="button" disabled={!found?.path} onClick={onLaunch}>{label}</button>
      {found?.problem ? <p className="muted small">{found.problem}</p> : null}
    </>
  );
}

function CommandLine({ text, label, onCopy }: { text: string; label: string; onCopy: (text: string) => void }) {
  return (
    <div className="snippet">
      <pre>{text}</pre>
      <button className="icon-button" title="Copy" aria-label={label} onClick={() => onCopy(text)}><Icon name="copy" size={14} /></button>
    </div>
  );
}
