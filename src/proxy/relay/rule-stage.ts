// The relay's rule stage: beside the lanes, it asks the rules engine what happens to each gathered
// message and turns the plan into an outcome for the lane's held queue: at once, after a delay's
// timer, or when the user decides at a breakpoint. Replies, closes and aborts are the connection's
// (RuleHost). The lanes only move bytes; this is the one place a decision becomes an outcome.
import type { Direction, ConnectionRecord } from '../../capture/capture-model.js';
import type { Message } from '../../protocol/frame.js';
import type { ConnectionRules, MessagePlan, RuleEngine } from '../../rules/rule-engine.js';
import type { Breakpoints, HeldDecision } from '../breakpoints.js';
import type { QueuedListener } from './held-queue.js';
import type { MessageOutcome, OwnMessage, RelayFlags } from './relay-types.js';
import { unmaskWire } from '../../protocol/wire-payload.js';

/** What the stage needs from the connection (the frame relay): its injections and closing. */
export interface RuleHost {
  readonly isFinished: boolean;
  inject(direction: Direction, message: { opcode: number; data: Buffer }, flags?: RelayFlags): void;
  close(mode: 'clean' | 'abrupt', toward: 'client' | 'server' | 'both', code?: number, reason?: string, flags?: RelayFlags): void;
}

/** What rules set on a lane: whether it gathers whole messages, and its shaping. */
export interface StageLane {
  readonly direction: Direction;
  setWatching(on: boolean): void;
  setShape(latencyMs: number, bytesPerSecond: number, rules: string[]): void;
}

/** A message the stage holds: its outcome comes later; onQueued hears what waits behind it. */
export interface StageDecision {
  outcome: Promise<MessageOutcome>;
  onQueued?: QueuedListener;
}

export class RuleStage {
  private readonly timers = new Set<NodeJS.Timeout>();
  private dropTimers: NodeJS.Timeout[] = [];
  private disposed = false;
  private started = false;
  private readonly openedAt = Date.now();

  private rules: ConnectionRules;

  constructor(
    private readonly engine: RuleEngine,
    private readonly connection: ConnectionRecord,
    private readonly host: RuleHost,
    /** Records what a rule could not do. */
    private readonly error: (message: string) => void,
    private readonly breakpoints: Breakpoints | undefined,
  ) {
    this.rules = engine.forConnection(connection);
  }

  /** Tells the lanes what the rules want of them: gathering whole messages, latency, a rate. */
  applyTo(lanes: StageLane[]): void {
    for (const lane of lanes) {
      lane.setWatching(this.rules.watches(lane.direction));
      const shape = this.rules.shape(lane.direction);
      lane.setShape(shape.latencyMs, shape.bytesPerSecond, shape.rules);
    }
  }

  /** The rules changed (a reload, a breakpoint set): later messages follow the new ones. */
  refresh(lanes: StageLane[]): void {
    if (this.disposed) return;
    const before = this.rules;
    this.rules = this.engine.forConnection(this.connection);
    this.rules.carryCountsFrom(before);
    this.applyTo(lanes);
    this.startTimers();
  }

  /** The connection is open: rules that cut it after a time start counting. */
  start(): void {
    this.started = true;
    this.startTimers();
  }

  private startTimers(): void {
    for (const timer of this.dropTimers) clearTimeout(timer);
    this.dropTimers = [];
    if (!this.started || this.disposed) return;
    for (const { rule, action } of this.rules.drops()) {
      if (action.afterMs === undefined) continue;
      // Counted from the connection's start, also when the rules came later.
      const wait = Math.max(0, this.openedAt + action.afterMs - Date.now());
      this.dropTimers.push(setTimeout(() => {
        if (this.disposed) return;
        this.command(() => (action.close ? this.host.close('clean', 'both', action.close.code, action.close.reason, { injected: true, rule }) : this.host.close('abrupt', 'both')));
      }, wait));
    }
  }

  /** What happens to a whole message; undefined when no rule acts (it goes on as it came). */
  decide(direction: Direction, message: Message, arrivedAt: number): StageDecision | undefined {
    // A message kept as wire bytes is matched as it is: unmasked only if a rule must read it.
    const plan = this.rules.decide(direction, message.opcode, message.wire ?? message.data);
    if (!plan) return undefined;
    for (const error of plan.errors) this.error(error);
    if (plan.rules.length === 0 && !plan.breakpoint) return undefined;
    // A rule acts: what it shows or sends again is the message's own bytes, unmasked.
    const data = message.wire ? unmaskWire(message.wire) : message.data;
    let onQueued: QueuedListener | undefined;
    let outcome: Promise<MessageOutcome>;
    if (plan.breakpoint && this.breakpoints) {
      const breakpoints = this.breakpoints;
      const shown = plan.replacement ?? { opcode: message.opcode, data };
      const { id, decision } = breakpoints.hold({
        connectionId: this.connection.id, url: this.connection.url, kind: 'message', direction,
        ruleId: plan.breakpoint.ruleId, opcode: shown.opcode, dataBase64: shown.data.toString('base64'), queued: [], queuedCount: 0,
      });
      onQueued = (queued, count) => breakpoints.updateQueued(id, queued, count);
      outcome = decision.then((d) => this.outcome(direction, message.opcode, data, plan, arrivedAt, d));
    } else {
      outcome = Promise.resolve(this.outcome(direction, message.opcode, data, plan, arrivedAt));
    }
    if (plan.delayMs > 0) {
      // The delay counts from the message's arrival; a hold at a breakpoint adds to it.
      const due = arrivedAt + plan.delayMs;
      outcome = outcome.then((o) => this.at(due, o));
    }
    return { outcome, ...(onQueued ? { onQueued } : {}) };
  }

  /** The outcome of a plan, or of the user's decision on it. */
  private outcome(direction: Direction, opcode: number, data: Buffer, plan: MessagePlan, arrivedAt: number, decision?: HeldDecision): MessageOutcome {
    const mark: RelayFlags = plan.rules.length > 0 ? { rule: plan.rules.join(', ') } : {};
    if (decision?.action === 'drop') return { original: 'drop', originalFlags: mark, own: [] };
    if (decision?.editedMessage) {
      return { original: 'drop', originalFlags: { edited: true, ...mark }, own: [{ ...decision.editedMessage, flags: { edited: true, ...mark }, arrivedAt }] };
    }
    const own: OwnMessage[] = [];
    const sent = plan.replacement ?? { opcode: opcode === 2 ? 2 as const : 1 as const, data };
    if (plan.forward === 'replaced') own.push({ ...plan.replacement!, flags: { edited: true, ...mark }, arrivedAt });
    if (plan.forward !== 'none') for (let i = 0; i < plan.duplicates; i++) own.push({ ...sent, flags: { injected: true, ...mark } });
    const after = plan.replies.length > 0 || plan.end ? () => this.after(direction, plan, mark) : undefined;
    const originalFlags: RelayFlags | undefined = plan.forward === 'original' ? (plan.delayMs > 0 ? mark : undefined) : { ...(plan.forward === 'replaced' ? { edited: true } : {}), ...mark };
    return { original: plan.forward === 'original' ? 'forward' : 'drop', ...(originalFlags ? { originalFlags } : {}), own, ...(after ? { after } : {}) };
  }

  private after(direction: Direction, plan: MessagePlan, mark: RelayFlags): void {
    if (this.disposed) return;
    // A reply goes back to the sender: into the other direction.
    for (const reply of plan.replies) this.command(() => this.host.inject(direction === 'send' ? 'receive' : 'send', reply, { injected: true, ...mark }));
    const end = plan.end;
    if (end?.kind === 'close') this.command(() => this.host.close('clean', 'both', end.code, end.reason, { injected: true, ...mark }));
    else if (end?.kind === 'abort') this.command(() => this.host.close('abrupt', 'both'));
  }

  /** A reply, close or abort; one that cannot happen now (the connection is closing) is reported. */
  private command(run: () => void): void {
    if (this.host.isFinished) return;
    try {
      run();
    } catch (error) {
      this.error(`a rule could not act: ${(error as Error).message}`);
    }
  }

  /** Resolves with value at the epoch time due (at once when it has passed). */
  private at<T>(due: number, value: T): Promise<T> {
    const wait = due - Date.now();
    if (wait <= 0 || this.disposed) return Promise.resolve(value);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve(value);
      }, wait);
      this.timers.add(timer);
    });
  }

  /** The connection is gone: timers stop (what they held goes nowhere). */
  dispose(): void {
    this.disposed = true;
    for (const timer of [...this.timers, ...this.dropTimers]) clearTimeout(timer);
    this.timers.clear();
  }
}
