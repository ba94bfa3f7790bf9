// The control API's Intercept section: launches whose clients come through the proxy, and the setup
// to paste (part of api-types.ts, the one contract; types only).

/** A launch (framescope run, shell, a browser) whose clients the proxy has seen, by the tag in their proxy credentials. */
export interface LaunchInfo {
  /** How it was launched: run, shell, firefox, chromium, electron. */
  kind: string;
  /** The launched program's short name, when known. */
  program?: string;
  /** The launch's random id. */
  id: string;
  /** When its first and latest tunnel or request came, epoch ms. */
  firstSeen: number;
  lastSeen: number;
  /** Its CONNECT tunnels open now. */
  openTunnels: number;
  /** Its WebSocket connections in this session, oldest first. */
  connectionIds: number[];
}

/** What the "How to connect" Intercept section shows: the environment of a launch, ready to paste. */
export interface InterceptSetup {
  /** The proxy as host:port. */
  proxy: string;
  /** Name and value of each variable `framescope shell` sets (NO_PROXY as ''), in a stable order. */
  variables: { name: string; value: string }[];
  /** Browsers the engine can launch here, with the executable found (or why not). */
  browsers: { kind: 'chromium' | 'firefox'; path?: string; problem?: string }[];
}

/** Intercept commands. */
export interface InterceptCommands {
  /** The launches (framescope run, shell, browsers) whose clients came through the proxy, newest first. */
  listLaunches: { params: Record<string, never>; result: LaunchInfo[] };
  /** The environment lines and launchable browsers of the Intercept section. */
  interceptSetup: { params: Record<string, never>; result: InterceptSetup };
  /** Opens Chromium or Firefox (a fresh profile) through this engine's proxy, on url (default about:blank). */
  launchBrowser: { params: { kind: 'chromium' | 'firefox'; url?: string }; result: { path: string } };
}
