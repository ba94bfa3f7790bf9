// A session's disk budget: past BUDGET_WARNING_RATIO of it the store warns; past the budget itself,
// payloads stop being stored (headers, connections and errors still are), which the file and the
// callback both say.
import { RECORD_HEADER_LENGTH } from './capture-file.js';

/** The default disk budget of a session: 20 GiB. */
export const DEFAULT_DISK_BUDGET = 20 * 1024 ** 3;
/** Share of the budget at which onBudget('warning') fires. */
export const BUDGET_WARNING_RATIO = 0.8;

export type BudgetLevel = 'warning' | 'reached';

export class DiskBudget {
  private warned = false;
  /** Past the budget: payloads are no longer stored. */
  payloadsOff = false;

  constructor(
    readonly limit: number,
    /** The capture file's size, records not yet written included. */
    private readonly position: () => number,
    private readonly onBudget: ((level: BudgetLevel, usage: number, budget: number) => void) | undefined,
    private readonly onError: (error: Error) => void,
    /** Records an error in the session (what reaching the budget says in the file). */
    private readonly putError: (message: string) => void,
  ) {}

  get level(): 'ok' | BudgetLevel {
    return this.payloadsOff ? 'reached' : this.warned ? 'warning' : 'ok';
  }

  /** Whether a record with a body of this length would pass the budget. */
  over(bodyLength: number): boolean {
    return this.position() + RECORD_HEADER_LENGTH + bodyLength > this.limit;
  }

  /** Past the budget: payloads stop being stored. */
  reach(): void {
    if (this.payloadsOff) return;
    this.payloadsOff = true;
    if (!this.warned) {
      this.warned = true;
      this.tell('warning');
    }
    this.putError(`disk budget of ${this.limit} bytes reached: payloads are no longer stored`);
    this.tell('reached');
  }

  /** Warns once the file passes the warning share of the budget. */
  check(): void {
    if (!this.warned && this.position() >= this.limit * BUDGET_WARNING_RATIO) {
      this.warned = true;
      this.tell('warning');
    }
  }

  private tell(level: BudgetLevel): void {
    try {
      this.onBudget?.(level, this.position(), this.limit);
    } catch (error) {
      this.onError(error as Error);
    }
  }
}
