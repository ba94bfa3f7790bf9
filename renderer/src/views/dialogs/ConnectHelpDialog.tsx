// "How to connect": copyable setups for a browser, Node, curl and the browser Framescope launches,
// filled in with the proxy's real address (and, in reverse mode, where to point clients instead).
import { useState } from 'react';
import { useApp } from '../app-context.js';
import { useStore } from '../use-store.js';
import { Modal } from '../common/Modal.js';
import { Tabs } from '../common/Tabs.js';
import { Icon } from '../common/Icon.js';
import { copyText } from '../clipboard.js';
import { InterceptSection } from '../connect/InterceptSection.js';

type Target = 'intercept' | 'launched' | 'browser' | 'node' | 'curl';

export function ConnectHelpDialog({ onClose }: { onClose: () => void }) {
  const { session, view } = useApp();
  useStore(session);
  const [target, setTarget] = useState<Target>('intercept');
  const proxy = session.proxy;
  const address = proxy?.address ?? '127.0.0.1:8080';
  const ca = proxy?.caPath ?? '$(npx framescope ca --path)';

  if (proxy?.mode === 'reverse') {
    const upstream = proxy.upstream ?? '';
    return (
      <Modal title="How to connect" onClose={onClose} wide>
        <p>Framescope runs as a <strong>reverse proxy</strong> in front of <code>{upstream}</code>. Point clients at Framescope instead of the server; every connection goes to the upstream with its own path and query.</p>
        <Snippet text={`ws://${address}/your/path`} onCopied={() => view.notify('Copied')} />
        <Snippet text={`new WebSocket('ws://${address}/your/path')`} onCopied={() => view.notify('Copied')} />
      </Modal>
    );
  }

  const snippets: Record<Exclude<Target, 'intercept'>, { intro: string; code: string; after?: string }> = {
    launched: {
      intro: 'Launch Chromium or Chrome with a fresh profile that sends everything (loopback included) through this proxy and trusts Framescope\'s certificates, so wss:// works without installing anything:',
      code: `npx framescope browser --proxy ${address} https://example.com/`,
    },
    browser: {
      intro: 'Set the browser\'s HTTP and HTTPS proxy to this address. For wss:// pages, trust Framescope\'s CA certificate in that browser. Chromium from the command line:',
      code: `chromium --proxy-server=http://${address} --proxy-bypass-list='<-loopback>' --user-data-dir=$(mktemp -d)`,
      after: `CA certificate: ${ca}`,
    },
    node: {
      intro: 'Give ws an agent that tunnels through the proxy, and trust the CA for wss://:',
      code: `import WebSocket from 'ws';\nimport { HttpsProxyAgent } from 'https-proxy-agent';\n\nconst ws = new WebSocket('wss://api.example.com/feed', {\n  agent: new HttpsProxyAgent('http://${address}'),\n});\n\n// run with:\n// NODE_EXTRA_CA_CERTS="${ca}" node app.js`,
      after: `Apps that honour HTTPS_PROXY need only the environment: HTTPS_PROXY=http://${address}`,
    },
    curl: {
      intro: 'curl (7.86 or later speaks WebSocket) through the proxy, trusting the CA:',
      code: `curl --include --no-buffer -x http://${address} --cacert "${ca}" wss://echo.example.com/\ncurl -x http://${address} --cacert "${ca}" https://example.com/`,
    },
  };
  return (
    <Modal title="How to connect" onClose={onClose} wide>
      <p className="muted">The proxy listens on <code>{address}</code> (explicit HTTP proxy: absolute-form requests and CONNECT tunnels, TLS intercepted).</p>
      <Tabs<Target>
        tabs={[{ id: 'intercept', label: 'Intercept' }, { id: 'launched', label: 'Launched browser' }, { id: 'browser', label: 'Any browser' }, { id: 'node', label: 'Node' }, { id: 'curl', label: 'curl' }]}
        active={target}
        onChange={setTarget}
      />
      {target === 'intercept' ? <InterceptSection /> : (
        <div className="connect-body">
          <p>{snippets[target].intro}</p>
          <Snippet text={snippets[target].code} onCopied={() => view.notify('Copied')} />
          {snippets[target].after ? <p className="muted small">{snippets[target].after}</p> : null}
        </div>
      )}
    </Modal>
  );
}

function Snippet({ text, onCopied }: { text: string; onCopied: () => void }) {
  return (
    <div className="snippet">
      <pre>{text}</pre>
      <button className="icon-button" title="Copy" aria-label="Copy" onClick={() => void copyText(text).then(onCopied)}><Icon name="copy" size={14} /></button>
    </div>
  );
}
