// The one place that decides what happens to traffic: an ordered list of rules (a rules file's, then
// the breakpoints the user sets in the UI, which are rules whose action is "breakpoint"). Given a
// connection it answers what to do with the handshake, how to shape each direction, and, per
// message, a plan: what goes on, what the proxy adds, how long it waits. Sans-IO: no sockets, no
// timers; the relay's rule stage carries plans out.
import { EventEmitter } from 'node:events';
import type { Direction } from '../capture/capture-model.js';
import type { WirePayload } from '../protocol/frame.js';
import { CompiledRule, MatchedMessage, type MatchConnection } from './rule-matcher.js';
import { fillTemplate, rewritePayload, type Payload } from './message-rewrite.js';
import { isMessageAction, type ConnectionAction, type Rule } from './rule-types.js';

/** What happens to one message, in the order the proxy carries it out. */
export interface MessagePlan {
  /** Rules that acted on it (their names mark what they changed, delayed, dropped or created). */
  rules: string[];
  /** What goes on to the receiver: the message as it came, a replacement, or nothing. */
  forward: 'original' | 'replaced' | 'none';
  /** The replacement, when forward is 'replaced'. */
  replacement?: Payload;
  /** Milliseconds to wait before it goes on (everything behind it in its direction waits too). */
  delayMs: number;
  /** Copies sent after the forwarded message. */
  duplicates: number;
  /** Messages back to the sender. */
  replies: Payload[];
  /** The message waits for the user (a breakpoint), with what the plan would do as the default. */
  breakpoint?: { ruleId: number };
  /** The connection ends after this message. */
  end?: { kind: 'close'; code?: number; reason?: string } | { kind: 'abort' };
  /** A rule could not act (a JSON patch on text that is not JSON): reported, the message goes on. */
  errors: string[];
}

/** What happens to the upgrade request of a connection. */
export interface HandshakePlan {
  /** Answer the client with this instead of going upstream. */
  refuse?: { status: number; body: string; rule: string };
  /** Wait this long before going upstream. */
  delayMs: number;
  delayRules: string[];
  /** Wait for the user (a handshake breakpoint). */
  hold?: { ruleId: number };
  /** Serve the connection from a recording instead of the server. */
  serve?: Extract<ConnectionAction, { type: 'serveFromRecording' }> & { rule: string };
}

/** How one direction of a connection is shaped. */
export interface DirectionShape {
  /** Every frame waits this long. */
  latencyMs: number;
  /** At most this many bytes a second; 0 for no limit. */
  bytesPerSecond: number;
  /** The rules behind it, for marks. */
  rules: string[];
}

/** A rule compiled with where it came from. */
interface EngineRule {
  compiled: CompiledRule;
  /** A breakpoint set in the UI: its id for the held queue; it leaves no mark (the user's edit flags say it all). */
  breakpointId?: number;
}

/** Converts the UI's breakpoint list into rules. */
export interface BreakpointSource {
  readonly enabled: boolean;
  list(): { id: number; enabled: boolean; phase: 'handshake' | 'message'; direction: Direction | 'both'; urlPattern?: string; opcode?: 1 | 2; text?: string; regex?: string }[];
  on(event: 'rules', listener: () => void): unknown;
}

export interface RuleEngineEvents {
  /** The rules changed: relays re-check what they watch. */
  changed: [];
}

export class RuleEngine extends EventEmitter<RuleEngineEvents> {
  private fileRules: EngineRule[] = [];
  private breakpointRules: EngineRule[] = [];

  constructor(breakpoints?: BreakpointSource) {
    super();
    if (breakpoints) {
      this.breakpointRules = compileBreakpoints(breakpoints);
      breakpoints.on('rules', () => {
        this.breakpointRules = compileBreakpoints(breakpoints);
        this.emit('changed');
      });
    }
  }

  /** Replaces the rules (a rules file, validated); throws with the rule and field when one does not compile. */
  setRules(rules: Rule[]): void {
    this.fileRules = compileAll(rules);
    this.emit('changed');
  }

  rules(): Rule[] {
    return this.fileRules.map((r) => r.compiled.rule);
  }

  /** The rules that apply to a connection, in order. */
  forConnection(connection: MatchConnection): ConnectionRules {
    const all = [...this.fileRules, ...this.breakpointRules].filter((r) => r.compiled.inScope(connection.url));
    return new ConnectionRules(connection, all);
  }

  /** What to do with a connection's upgrade request. */
  handshake(url: string): HandshakePlan {
    return this.forConnection({ url }).handshake();
  }
}

/** The rules in scope for one connection: sans-IO answers for its handshake, shaping and messages. */
export class ConnectionRules {
  private readonly messageRules: EngineRule[];
  /** Rules that cut the connection after N matching messages, with their counts so far. */
  private readonly counters: Counter[] = [];

  constructor(
    readonly connection: MatchConnection,
    private readonly rules: EngineRule[],
  ) {
    this.messageRules = rules.filter((r) => r.compiled.rule.actions.some(isMessageAction));
    for (const { compiled } of rules) {
      for (const a of connectionActions(compiled.rule)) {
        if (a.type === 'dropConnection' && a.afterMessages !== undefined) {
          this.counters.push({ compiled, counts: countsKey(compiled.rule), after: a.afterMessages, ...(a.close ? { close: a.close } : {}), seen: 0, fired: false });
        }
      }
    }
  }

  /**
   * Takes the counts of the connection's rules before a reload: a rule that counts the same messages
   * (same name, scope and match) goes on from where it was, so editing the rules file (another rule, or
   * this one's N) does not give a connection N more messages. A count already at the new N cuts the
   * connection at the next matching message.
   */
  carryCountsFrom(before: ConnectionRules): void {
    for (const counter of this.counters) {
      const old = before.counters.find((c) => c.counts === counter.counts);
      if (old) {
        counter.seen = old.seen;
        counter.fired = old.fired;
      }
    }
  }

  get isEmpty(): boolean {
    return this.rules.length === 0;
  }

  /** Whether any rule may act on this direction's messages (the lane then gathers them whole). */
  watches(direction: Direction): boolean {
    return this.messageRules.some((r) => r.compiled.watchesDirection(direction)) || this.counters.some((c) => c.compiled.watchesDirection(direction));
  }

  handshake(): HandshakePlan {
    const plan: HandshakePlan = { delayMs: 0, delayRules: [] };
    for (const { compiled, breakpointId } of this.rules) {
      for (const action of connectionActions(compiled.rule)) {
        if (action.type === 'refuseHandshake') plan.refuse ??= { status: action.status, body: action.body ?? '', rule: compiled.name };
        else if (action.type === 'delayHandshake') {
          plan.delayMs += action.ms;
          plan.delayRules.push(compiled.name);
        } else if (action.type === 'holdHandshake') plan.hold ??= { ruleId: breakpointId ?? 0 };
        else if (action.type === 'serveFromRecording') plan.serve ??= { ...action, rule: compiled.name };
      }
    }
    return plan;
  }

  /** Latency and throttling for a direction: latencies add up, the lowest rate wins. */
  shape(direction: Direction): DirectionShape {
    const shape: DirectionShape = { latencyMs: 0, bytesPerSecond: 0, rules: [] };
    for (const { compiled } of this.rules) {
      if (!compiled.watchesDirection(direction)) continue;
      for (const action of connectionActions(compiled.rule)) {
        if (action.type === 'latency') shape.latencyMs += action.ms;
        else if (action.type === 'throttle') shape.bytesPerSecond = shape.bytesPerSecond === 0 ? action.bytesPerSecond : Math.min(shape.bytesPerSecond, action.bytesPerSecond);
        else continue;
        if (!shape.rules.includes(compiled.name)) shape.rules.push(compiled.name);
      }
    }
    return shape;
  }

  /** The rules that cut the connection after a count of messages or a time. */
  drops(): { rule: string; compiled: CompiledRule; action: Extract<ConnectionAction, { type: 'dropConnection' }> }[] {
    const out = [];
    for (const { compiled } of this.rules) {
      for (const action of connectionActions(compiled.rule)) if (action.type === 'dropConnection') out.push({ rule: compiled.name, compiled, action });
    }
    return out;
  }

  /**
   * The plan for a message; undefined when no rule acts on it (the common case: it goes on untouched).
   * payload: its bytes, or as they crossed the wire (masked), which the rules unmask only if they must.
   */
  decide(direction: Direction, opcode: number, payload: Buffer | WirePayload, random: () => number = Math.random): MessagePlan | undefined {
    let plan: MessagePlan | undefined;
    let current = new MatchedMessage(opcode, payload, direction);
    for (const { compiled, breakpointId } of this.messageRules) {
      if (!compiled.watchesDirection(direction) || !compiled.matches(current, this.connection)) continue;
      plan ??= { rules: [], forward: 'original', delayMs: 0, duplicates: 0, replies: [], errors: [] };
      let acted = false;
      let stop = false;
      for (const action of compiled.rule.actions) {
        if (!isMessageAction(action)) continue;
        acted = true;
        switch (action.type) {
          case 'rewrite': {
            try {
              const out = rewritePayload(current, action);
              plan.forward = 'replaced';
              plan.replacement = out;
              current = new MatchedMessage(out.opcode, out.data, direction);
            } catch (error) {
              plan.errors.push(`rule "${compiled.name}" could not rewrite a ${direction} message: ${(error as Error).message}`);
            }
            break;
          }
          case 'delay':
            plan.delayMs += action.ms + (action.jitter ? random() * action.jitter : 0);
            break;
          case 'drop':
            plan.forward = 'none';
            stop = true;
            break;
          case 'duplicate':
            plan.duplicates += action.count ?? 1;
            break;
          case 'reply': {
            const text = fillTemplate(action.payload, current);
            plan.replies.push(action.base64 ? { opcode: 2, data: Buffer.from(text, 'base64') } : { opcode: 1, data: Buffer.from(text, 'utf8') });
            if (action.forward === false) {
              plan.forward = 'none';
              stop = true;
            }
            break;
          }
          case 'close':
            plan.forward = 'none';
            plan.end = { kind: 'close', ...(action.code !== undefined ? { code: action.code } : {}), ...(action.reason !== undefined ? { reason: action.reason } : {}) };
            stop = true;
            break;
          case 'abort':
            plan.forward = 'none';
            plan.end = { kind: 'abort' };
            stop = true;
            break;
          case 'breakpoint':
            plan.breakpoint = { ruleId: breakpointId ?? 0 };
            stop = true;
            break;
        }
        if (stop) break;
      }
      // A breakpoint from the UI leaves no mark: the user's own edit flags tell what happened.
      if (acted && breakpointId === undefined) plan.rules.push(compiled.name);
      if (stop) break;
    }
    for (const counter of this.counters) {
      if (!counter.compiled.watchesDirection(direction) || !counter.compiled.matches(current, this.connection)) continue;
      counter.seen++;
      if (counter.fired || counter.seen < counter.after) continue;
      counter.fired = true;
      // The Nth message goes on as planned; then the connection is cut.
      plan ??= { rules: [], forward: 'original', delayMs: 0, duplicates: 0, replies: [], errors: [] };
      plan.end ??= counter.close ? { kind: 'close', ...counter.close } : { kind: 'abort' };
      if (!plan.rules.includes(counter.compiled.name)) plan.rules.push(counter.compiled.name);
    }
    return plan;
  }
}

interface Counter {
  compiled: CompiledRule;
  /** What it counts: its rule's name, scope and match. */
  counts: string;
  after: number;
  close?: { code?: number; reason?: string };
  seen: number;
  /** It has cut the connection (or asked to). */
  fired: boolean;
}

function countsKey(rule: Rule): string {
  return JSON.stringify([rule.name, rule.scope ?? null, rule.match ?? null]);
}

function connectionActions(rule: Rule): ConnectionAction[] {
  return rule.actions.filter((a): a is ConnectionAction => !isMessageAction(a));
}

function compileAll(rules: Rule[]): EngineRule[] {
  return rules.map((rule, i) => {
    try {
      return { compiled: new CompiledRule(rule) };
    } catch (error) {
      throw new Error(`rule ${i + 1} "${rule.name}": ${(error as Error).message}`);
    }
  });
}

function compileBreakpoints(source: BreakpointSource): EngineRule[] {
  if (!source.enabled) return [];
  return source.list().map((b) => ({
    breakpointId: b.id,
    compiled: new CompiledRule({
      name: `breakpoint ${b.id}`,
      enabled: b.enabled,
      scope: { ...(b.urlPattern ? { url: b.urlPattern } : {}), direction: b.direction },
      match: { ...(b.opcode !== undefined ? { opcode: b.opcode } : {}), ...(b.text !== undefined ? { contains: b.text } : {}), ...(b.regex !== undefined ? { regex: b.regex } : {}) },
      actions: [b.phase === 'handshake' ? { type: 'holdHandshake' } : { type: 'breakpoint' }],
    }),
  }));
}
