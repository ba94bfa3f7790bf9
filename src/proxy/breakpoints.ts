// Breakpoints: the rules the user sets in the UI to hold matching upgrade requests or data messages,
// and the queue of what they hold. Matching is the rules engine's (src/rules): a breakpoint is a rule
// whose action is "breakpoint"; the engine decides, this class keeps the list and the held queue.
import { EventEmitter } from 'node:events';
import type { BreakpointRule, HeldItem } from '../control/api-types.js';
import { CompiledRule } from '../rules/rule-matcher.js';

export type { BreakpointRule, HeldItem };

/** What the user decided for a held item. */
export type HeldDecision =
  | { action: 'forward'; editedMessage?: { opcode: 1 | 2; data: Buffer }; editedRequest?: { target: string; rawHeaders: string[] } }
  | { action: 'drop' };

interface HeldEntry {
  item: HeldItem;
  resolve: (decision: HeldDecision) => void;
}

export interface BreakpointsEvents {
  /** The rules or the global switch changed: relays re-check whether they must watch messages. */
  rules: [];
  /** The held queue changed. */
  held: [items: HeldItem[]];
}

export class Breakpoints extends EventEmitter<BreakpointsEvents> {
  private rules: BreakpointRule[] = [];
  private active = true;
  private nextRuleId = 1;
  private nextHeldId = 1;
  private readonly held = new Map<number, HeldEntry>();

  get enabled(): boolean {
    return this.active;
  }

  setEnabled(on: boolean): void {
    this.active = on;
    this.emit('rules');
    // Switching breakpoints off lets everything they hold go on.
    if (!on) this.resolveAll({ action: 'forward' });
  }

  list(): BreakpointRule[] {
    return this.rules.map((r) => ({ ...r }));
  }

  /** Creates (id 0) or replaces a rule; checks its patterns now so a bad regex is the caller's error. */
  set(rule: BreakpointRule): BreakpointRule {
    checkPatterns(rule);
    const stored: BreakpointRule = { ...rule, id: rule.id > 0 ? rule.id : this.nextRuleId++ };
    const at = this.rules.findIndex((r) => r.id === stored.id);
    if (at >= 0) this.rules[at] = stored;
    else if (rule.id > 0) throw new Error(`no breakpoint ${rule.id}`);
    else this.rules.push(stored);
    this.emit('rules');
    return { ...stored };
  }

  delete(id: number): void {
    this.rules = this.rules.filter((r) => r.id !== id);
    this.emit('rules');
  }

  /** Queues an item for the user; resolves with what they decide. */
  hold(item: Omit<HeldItem, 'id' | 'heldAt'>): { id: number; decision: Promise<HeldDecision> } {
    const id = this.nextHeldId++;
    let resolve!: (d: HeldDecision) => void;
    const decision = new Promise<HeldDecision>((r) => (resolve = r));
    this.held.set(id, { item: { ...item, id, heldAt: Date.now() }, resolve });
    this.emitHeld();
    return { id, decision };
  }

  /** Updates what queues behind a held item (the relay calls it as frames pile up). */
  updateQueued(id: number, queued: HeldItem['queued'], count: number): void {
    const entry = this.held.get(id);
    if (!entry) return;
    entry.item.queued = queued;
    entry.item.queuedCount = count;
    this.emitHeld();
  }

  heldItems(): HeldItem[] {
    return [...this.held.values()].map((e) => e.item);
  }

  resolve(id: number, decision: HeldDecision): void {
    const entry = this.held.get(id);
    if (!entry) throw new Error(`nothing is held with id ${id}`);
    this.held.delete(id);
    entry.resolve(decision);
    this.emitHeld();
  }

  resolveAll(decision: HeldDecision): number {
    const ids = [...this.held.keys()];
    for (const id of ids) this.resolve(id, decision);
    return ids.length;
  }

  /** A connection ended: what it held can go nowhere. */
  forgetConnection(connectionId: number): void {
    for (const [id, entry] of this.held) {
      if (entry.item.connectionId === connectionId) {
        this.held.delete(id);
        entry.resolve({ action: 'drop' });
      }
    }
    this.emitHeld();
  }

  private emitHeld(): void {
    this.emit('held', this.heldItems());
  }
}

/** Compiles the rule's patterns the way the rules engine will, so a bad one is refused now. */
function checkPatterns(rule: BreakpointRule): void {
  new CompiledRule({
    name: 'breakpoint', enabled: rule.enabled,
    scope: rule.urlPattern ? { url: rule.urlPattern } : {},
    match: rule.regex !== undefined ? { regex: rule.regex } : {},
    actions: [{ type: 'breakpoint' }],
  });
}
