// The `framescope` command: dispatches to one module per subcommand, loaded on demand.

export interface Command {
  /** One line for the command list. */
  summary: string;
  /** Loads the command's module; its run() returns the exit code. */
  load: () => Promise<{ run(args: string[]): Promise<number> }>;
}

export const COMMANDS: Record<string, Command> = {
  ui: { summary: 'run the engine and serve the UI on loopback for a browser', load: () => import('./ui-command.js') },
  proxy: { summary: 'run the headless proxy (explicit or reverse) and optionally write a HAR', load: () => import('./proxy-command.js') },
  decode: { summary: 'decode WebSocket frame bytes (hex or base64) into JSON, one line per frame', load: () => import('./decode-command.js') },
  sessions: { summary: 'list the saved sessions', load: () => import('./sessions-command.js') },
  export: { summary: 'write a saved session (or one connection) as HAR', load: () => import('./export-command.js') },
  import: { summary: 'import a HAR file (ours, Chrome, HTTP Toolkit, mitmproxy, Playwright) as a session', load: () => import('./import-command.js') },
  replay: { summary: 'replay a recorded connection from a HAR and compare the answers', load: () => import('./replay-command.js') },
  send: { summary: 'open a WebSocket, send stdin lines, print the frames received as JSON', load: () => import('./send-command.js') },
  ca: { summary: 'show the TLS interception CA certificate and how to trust it', load: () => import('./ca-command.js') },
  browser: { summary: 'launch Chromium or Chrome through the proxy with the CA trusted', load: () => import('./browser-command.js') },
  mock: { summary: 'serve the server side of a recorded connection (a session or a HAR) as a WebSocket server', load: () => import('./mock-command.js') },
  run: { summary: 'run a command (Node, Python, curl, Java, an Electron app) with its traffic through the proxy', load: () => import('./run-command.js') },
  shell: { summary: 'open your shell with every program in it going through the proxy', load: () => import('./shell-command.js') },
};

const USAGE = `usage: framescope [<command>] [options]

Framescope is a WebSocket protocol inspector and debugging proxy. Without a command it opens the
app: the desktop window where Electron can start, else the UI in the system browser; it takes the
options of \`framescope ui\` (\`framescope --insecure --proxy-port 9000\`).

commands:
${Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`).join('\n')}

Run \`framescope <command> --help\` for a command's options.
`;

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  // `framescope --insecure --proxy-port 9000`: the app, with the options of `framescope ui`.
  if (name === undefined || name.startsWith('-')) return (await import('./app-command.js')).run(argv);
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`framescope: unknown command '${name}'\n\n${USAGE}`);
    return 2;
  }
  const module = await command.load();
  return module.run(rest);
}
