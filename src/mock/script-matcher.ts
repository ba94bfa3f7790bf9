// The mock's script, sans-IO: a recorded connection cut into turns (each client message and the server
// messages that followed it, up to the next client message) plus the server's opening pushes (what it
// sent before the client said anything). Given a client message, the matcher finds the recorded turn it
// stands for and says what to send back and when; it holds no socket and no timer.
//
// Matching goes from strict to loose and stops at the level the user asked for (--match):
//   content   the same opcode and bytes (the next unused such turn; when every one was used, the last
//             one again: a repeated heartbeat gets its recorded answer each time);
//   protocol  the same protocol fields (type and event, see protocol-keys.ts), an unused turn;
//   order     the next unused turn in recording order.
// A message nothing matches is unexpected: no answer, and the caller reports it.
import type { ProtocolKeys } from './protocol-keys.js';

/** One whole data message of the recording. */
export interface ScriptItem {
  /** send: client to server; receive: server to client. */
  direction: 'send' | 'receive';
  /** 1 text, 2 binary. */
  opcode: number;
  /** The payload, unmasked and decompressed. */
  data: Buffer;
  /** When it passed the proxy, epoch ms. */
  time: number;
}

/** The server's close, when the server closed the recorded connection. */
export interface ScriptClose {
  code: number;
  reason: string;
  /** When, epoch ms. */
  time: number;
}

/** How loosely a client message may match a recorded one. */
export type MatchLevel = 'content' | 'protocol' | 'order';
export const MATCH_LEVELS: readonly MatchLevel[] = ['content', 'protocol', 'order'];

/** recorded: answers and pushes keep their recorded delays; fast: everything goes at once (in order). */
export type MockTiming = 'recorded' | 'fast';
export const MOCK_TIMINGS: readonly MockTiming[] = ['recorded', 'fast'];

/** Something for the mock to send. */
export type PlannedSend =
  | { kind: 'message'; opcode: number; data: Buffer; due: number; /** The recorded message's index among the server's messages. */ answer: number }
  | { kind: 'close'; code: number; reason: string; due: number };

/** How a client message was matched. */
export interface TurnMatch {
  /** The level that found it. */
  by: MatchLevel;
  /** The recorded turn (the index of its client message among the recorded client messages). */
  turn: number;
  /** The turn had been answered before (content matches only). */
  repeated: boolean;
}

export interface MatchOutcome {
  /** Absent when the message was unexpected. */
  match?: TurnMatch;
  /** What to send for it, in order, each no earlier than its due time. */
  planned: PlannedSend[];
}

interface Turn {
  client: ScriptItem;
  /** The client message's protocol key in the recording, when it has one. */
  key?: string;
  answers: { item: ScriptItem; index: number }[];
  /** The server closed after this turn's answers. */
  close?: ScriptClose;
  used: boolean;
}

export interface ScriptMatcherOptions {
  level: MatchLevel;
  timing: MockTiming;
  /** Keys of the recording's client messages; fed every recorded message in order. */
  recordedKeys?: ProtocolKeys;
  /** Keys of the live client's messages. */
  liveKeys?: ProtocolKeys;
}

export class ScriptMatcher {
  private readonly turns: Turn[] = [];
  private readonly opening: { item: ScriptItem; index: number }[] = [];
  private openingClose?: ScriptClose;
  /** The turn after the last one matched: where "next in order" looks first. */
  private cursor = 0;
  /** The due time of the last planned send: sends never overtake each other. */
  private lastDue = -Infinity;

  /**
   * items: the recording's data messages in time order (what the server received and what it sent);
   * start: when the connection opened (the 101), epoch ms; close: the server's own close, if it closed.
   */
  constructor(items: readonly ScriptItem[], private readonly start: number, close: ScriptClose | undefined, private readonly options: ScriptMatcherOptions) {
    let answers = 0;
    for (const item of items) {
      if (item.direction === 'send') {
        const key = options.recordedKeys?.keyOf(item);
        this.turns.push({ client: item, ...(key !== undefined ? { key } : {}), answers: [], used: false });
        continue;
      }
      options.recordedKeys?.keyOf(item);
      const entry = { item, index: answers++ };
      const turn = this.turns.at(-1);
      if (turn) turn.answers.push(entry);
      else this.opening.push(entry);
    }
    if (close) {
      const turn = this.turns.at(-1);
      if (turn) turn.close = close;
      else this.openingClose = close;
    }
  }

  /** Recorded client messages. */
  get turnCount(): number {
    return this.turns.length;
  }

  /** Server messages the recording holds. */
  get answerCount(): number {
    return this.opening.length + this.turns.reduce((sum, t) => sum + t.answers.length, 0);
  }

  /** The opening pushes, for a connection that opened at `now`. */
  open(now: number): PlannedSend[] {
    return this.plan(this.opening, this.openingClose, this.start, now);
  }

  /** A client message arrived at `now`: what answers it. */
  receive(message: { opcode: number; data: Buffer }, now: number): MatchOutcome {
    const key = this.options.liveKeys?.keyOf({ direction: 'send', opcode: message.opcode, data: message.data });
    const match = this.find(message, key);
    if (!match) return { planned: [] };
    const turn = this.turns[match.turn]!;
    turn.used = true;
    this.cursor = match.turn + 1;
    return { match, planned: this.plan(turn.answers, match.repeated ? undefined : turn.close, turn.client.time, now) };
  }

  private find(message: { opcode: number; data: Buffer }, key: string | undefined): TurnMatch | undefined {
    const same = (t: Turn) => t.client.opcode === message.opcode && t.client.data.equals(message.data);
    const byContent = this.unused(same);
    if (byContent !== undefined) return { by: 'content', turn: byContent, repeated: false };
    const again = this.turns.findLastIndex(same);
    if (again >= 0) return { by: 'content', turn: again, repeated: true };
    if (this.options.level === 'content') return undefined;
    if (key !== undefined) {
      const byKey = this.unused((t) => t.key === key);
      if (byKey !== undefined) return { by: 'protocol', turn: byKey, repeated: false };
    }
    if (this.options.level === 'protocol') return undefined;
    const next = this.unused(() => true);
    return next === undefined ? undefined : { by: 'order', turn: next, repeated: false };
  }

  /** The first unused turn that passes, from the cursor on, then from the start. */
  private unused(test: (t: Turn) => boolean): number | undefined {
    for (let i = this.cursor; i < this.turns.length; i++) if (!this.turns[i]!.used && test(this.turns[i]!)) return i;
    for (let i = 0; i < this.cursor && i < this.turns.length; i++) if (!this.turns[i]!.used && test(this.turns[i]!)) return i;
    return undefined;
  }

  /** Sends at now plus their recorded distance from `from` (recorded timing), never before an earlier send. */
  private plan(answers: readonly { item: ScriptItem; index: number }[], close: ScriptClose | undefined, from: number, now: number): PlannedSend[] {
    const due = (time: number) => {
      const at = this.options.timing === 'recorded' ? now + Math.max(0, time - from) : now;
      this.lastDue = Math.max(this.lastDue, at);
      return this.lastDue;
    };
    const planned: PlannedSend[] = answers.map(({ item, index }) => ({ kind: 'message', opcode: item.opcode, data: item.data, due: due(item.time), answer: index }));
    if (close) planned.push({ kind: 'close', code: close.code, reason: close.reason, due: due(close.time) });
    return planned;
  }
}
