// How the shell starts the engine and reports why it did not start. Pure: no electron, no process
// state, so the tests run it in plain Node.

/** The options the shell always gives the engine; the user's own come after, so theirs win. */
const SHELL_OPTIONS = ['ui', '--no-open', '--port', '0'];

/**
 * The user's command-line options: `electron <app dir> --insecure` in a checkout (`defaultApp`), or
 * `Framescope --insecure` when packaged.
 */
export function userArguments(argv: readonly string[], defaultApp: boolean): string[] {
  return argv.slice(defaultApp ? 2 : 1);
}

/**
 * The engine's arguments: `framescope ui` on a free UI port without a browser, followed by the user's
 * options (`--insecure`, `--proxy-port 9000`, `--upstream URL`, ...). The engine parses them with its
 * own rules, so a later `--port N` from the user overrides the shell's `--port 0`.
 */
export function engineArguments(userArgs: readonly string[]): string[] {
  return [...SHELL_OPTIONS, ...userArgs];
}

/** The reason the engine gave before it exited, for the error box: its `framescope: ...` lines. */
export function startupFailure(code: number | null, stderr: string): string {
  const lines = stderr.split(/\r?\n/).map((line) => line.trim()).filter((line) => line !== '');
  const reasons = lines.filter((line) => line.startsWith('framescope: ')).map((line) => line.slice('framescope: '.length));
  const reason = reasons.length > 0 ? reasons.join('\n') : lines.slice(-5).join('\n');
  const exit = code === null ? 'the engine was stopped' : `the engine exited with code ${code}`;
  return reason ? `${reason}\n\n(${exit} before serving the UI)` : `${exit} before serving the UI and said nothing`;
}
