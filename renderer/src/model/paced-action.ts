// An action run at most once every minMs: asked again sooner, it runs once that time is over, however
// often it was asked meanwhile. The first ask after a quiet spell runs at once, so a lone change shows
// without delay and a stream of them costs a bounded number of runs.

export class PacedAction {
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** When it last ran (performance.now()); -Infinity before the first run. */
  private last = -Infinity;

  constructor(
    private readonly action: () => void,
    /** The shortest time between two runs, ms; a change applies from the next ask on. */
    public minMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Runs the action now, or once minMs have passed since it last ran. */
  request(): void {
    if (this.timer !== undefined) return;
    const wait = this.last + this.minMs - this.now();
    if (wait <= 0) this.run();
    // Whole milliseconds, rounded up: a timer given a fraction may fire a fraction early.
    else this.timer = setTimeout(() => this.run(), Math.ceil(wait));
  }

  /** Runs the action now (a change that must show at once), which also answers a waiting request. */
  runNow(): void {
    this.run();
  }

  /** Drops a waiting request. */
  cancel(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private run(): void {
    this.cancel();
    this.last = this.now();
    this.action();
  }
}
