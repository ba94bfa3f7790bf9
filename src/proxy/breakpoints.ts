// Breakpoints: rules that hold matching upgrade requests or data messages for the user, and the queue
// of what they hold. The relay and the handshake bridge ask it; the control API edits it.
import { EventEmitter } from 'node:events';
import type { Direction } from '../capture/capture-model.js';
import type { BreakpointRule, HeldItem } from '../control/api-types.js';

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
  /** Compiled patterns per rule id, so matching never compiles a regular expression. */
  private readonly compiled = new Map<number, { url: (url: string) => boolean; regex?: RegExp; text?: Buffer }>();
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
    const stored: BreakpointRule = { ...rule, id: rule.id > 0 ? rule.id : this.nextRuleId++ };
    this.compiled.set(stored.id, {
      url: stored.urlPattern ? urlMatcher(stored.urlPattern) : () => true,
      ...(stored.regex !== undefined ? { regex: new RegExp(stored.regex) } : {}),
      // A substring is looked for in the bytes: no decoding for messages that do not contain it.
      ...(stored.text !== undefined ? { text: Buffer.from(stored.text, 'utf8') } : {}),
    });
    const at = this.rules.findIndex((r) => r.id === stored.id);
    if (at >= 0) this.rules[at] = stored;
    else if (rule.id > 0) throw new Error(`no breakpoint ${rule.id}`);
    else this.rules.push(stored);
    this.emit('rules');
    return { ...stored };
  }

  delete(id: number): void {
    this.rules = this.rules.filter((r) => r.id !== id);
    this.compiled.delete(id);
    this.emit('rules');
  }

  /** Whether any switched-on message rule could match messages of this connection and direction. */
  watches(url: string, direction: Direction): boolean {
    return this.active && this.rules.some((r) => r.enabled && r.phase === 'message' && directionMatches(r, direction) && this.urlMatches(r, url));
  }

  /** The first rule that holds this message, if any. */
  matchMessage(url: string, direction: Direction, opcode: number, data: Buffer): BreakpointRule | undefined {
    if (!this.active) return undefined;
    let text: string | undefined;
    return this.rules.find((r) => {
      if (!r.enabled || r.phase !== 'message' || !directionMatches(r, direction) || !this.urlMatches(r, url)) return false;
      if (r.opcode !== undefined && r.opcode !== opcode) return false;
      const compiled = this.compiled.get(r.id);
      if (compiled?.text && data.indexOf(compiled.text) < 0) return false;
      if (compiled?.regex) {
        text ??= data.toString('utf8');
        if (!compiled.regex.test(text)) return false;
      }
      return true;
    });
  }

  /** The first rule that holds this upgrade request, if any. */
  matchHandshake(url: string): BreakpointRule | undefined {
    if (!this.active) return undefined;
    return this.rules.find((r) => r.enabled && r.phase === 'handshake' && this.urlMatches(r, url));
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

  private urlMatches(rule: BreakpointRule, url: string): boolean {
    return this.compiled.get(rule.id)?.url(url) ?? true;
  }

  private emitHeld(): void {
    this.emit('held', this.heldItems());
  }
}

function directionMatches(rule: BreakpointRule, direction: Direction): boolean {
  return rule.direction === 'both' || rule.direction === direction;
}

/** "/regex/" is a regular expression; anything else a substring. */
function urlMatcher(pattern: string): (url: string) => boolean {
  const m = /^\/(.*)\/([a-z]*)$/.exec(pattern);
  if (m) {
    const re = new RegExp(m[1]!, m[2]);
    return (url) => re.test(url);
  }
  return (url) => url.includes(pattern);
}
