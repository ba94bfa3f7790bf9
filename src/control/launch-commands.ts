// listLaunches, interceptSetup and launchBrowser: the Intercept section of "How to connect". It lists the
// launches whose clients came through (by their launch tag), gives the environment of
// `framescope shell` as lines to paste, and opens a browser through this engine's proxy.
import type { Engine } from '../engine.js';
import { caDir } from '../home.js';
import { CertificateAuthority } from '../proxy/certificate-authority.js';
import { findBrowser, launchBrowser } from '../proxy/browser-launcher.js';
import { findFirefox, launchFirefox } from '../intercept/firefox-launcher.js';
import { prepareLaunch } from '../intercept/launch-setup.js';
import type { ControlCommands, InterceptSetup } from './api-types.js';

type LaunchCommands = 'listLaunches' | 'interceptSetup' | 'launchBrowser';
type Handlers = { [M in LaunchCommands]: (params: ControlCommands[M]['params']) => Promise<ControlCommands[M]['result']> | ControlCommands[M]['result'] };

/** The proxy's address as clients on this machine reach it (a wildcard listener is reached on loopback). */
function proxyAddress(engine: Engine): string {
  const { address, port } = engine.proxyAddress;
  const host = address === '0.0.0.0' || address === '::' ? '127.0.0.1' : address;
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

export function launchCommands(engine: Engine): Handlers {
  return {
    listLaunches: () => engine.proxy.launches.list(),
    interceptSetup: () => {
      const proxy = proxyAddress(engine);
      // The lines are pasted into a shell of the user's own: NODE_OPTIONS and JAVA_TOOL_OPTIONS as if they had none.
      const { variables } = prepareLaunch({ proxy, kind: 'shell', env: withoutOptions(process.env) });
      const browsers: InterceptSetup['browsers'] = [
        found('chromium', () => findBrowser()),
        found('firefox', () => findFirefox()),
      ];
      return { proxy, variables: Object.entries(variables).map(([name, value]) => ({ name, value })), browsers };
    },
    launchBrowser: ({ kind, url }) => {
      if (kind !== 'chromium' && kind !== 'firefox') throw new Error(`cannot launch ${JSON.stringify(kind)}: chromium or firefox`);
      if (url !== undefined && !/^(https?|wss?):\/\/|^about:blank$/.test(url)) throw new Error(`url must be an http(s) URL or about:blank, not ${JSON.stringify(url)}`);
      const proxy = proxyAddress(engine);
      const ca = CertificateAuthority.loadOrCreate(caDir());
      const page = url ?? 'about:blank';
      if (kind === 'firefox') {
        const path = findFirefox();
        launchFirefox({ executablePath: path, proxy, caCertPath: ca.certPath, url: page }).exited.catch(() => {});
        return { path };
      }
      const path = findBrowser();
      const extraArgs = process.platform === 'linux' && process.getuid?.() === 0 ? ['--no-sandbox'] : [];
      launchBrowser({ executablePath: path, proxy, spkiFingerprints: [ca.leafSpkiFingerprint(), ca.spkiFingerprint()], url: page, extraArgs, stdio: 'ignore' }).exited.catch(() => {});
      return { path };
    },
  };
}

function withoutOptions(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { NODE_OPTIONS: _node, JAVA_TOOL_OPTIONS: _java, NODE_EXTRA_CA_CERTS: _extra, ...rest } = env;
  return rest;
}

function found(kind: 'chromium' | 'firefox', find: () => string): InterceptSetup['browsers'][number] {
  try {
    return { kind, path: find() };
  } catch (error) {
    return { kind, problem: (error as Error).message };
  }
}
