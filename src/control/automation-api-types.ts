// The control API's rules and mocks: what changes traffic automatically and what serves recordings
// (part of api-types.ts, the one contract; types only).
import type { Rule } from '../rules/rule-types.js';

/** recorded: a mock's answers keep their recorded delays; fast: at once, in order. */
export type MockTiming = 'recorded' | 'fast';
/** How loosely a mock matches client messages: the same bytes; else the protocol fields; else the next in order. */
export type MockMatch = 'content' | 'protocol' | 'order';

/** A mock serving a recorded connection. */
export interface MockInfo {
  id: number;
  /** Where clients connect: ws://127.0.0.1:PORT/ */
  url: string;
  port: number;
  /** The recorded connection it serves. */
  source: { session: string; connectionId: number; url: string };
  timing: MockTiming;
  match: MockMatch;
  /** The live session's connections it has served, oldest first. */
  connectionIds: number[];
  /** Client messages the recording did not answer. */
  unexpectedCount: number;
  /** The last of them (at most 20), newest last. */
  unexpected: { connectionId?: number; index: number; opcode: number; preview: string; time: number }[];
}

/** The rules in force and where they come from. */
export interface RulesState {
  path: string | null;
  rules: Rule[];
  /** Each rule in words, in the same order. */
  explained: string[];
  /** Why the file's last reload was refused (the earlier rules stay in force). */
  error?: string;
}

/** Rules and mocks commands. */
export interface AutomationCommands {
  /**
   * Serves a recorded connection (of the browsed session, or of a saved one) as a WebSocket server on
   * loopback; what clients do with it is recorded in the live session.
   */
  startMock: { params: { connectionId: number; session?: string; port?: number; timing?: MockTiming; match?: MockMatch }; result: MockInfo };
  /** Stops a mock: its listener closes and its connections end. */
  stopMock: { params: { id: number }; result: Record<string, never> };
  /** The mocks running, oldest first. */
  listMocks: { params: Record<string, never>; result: MockInfo[] };
  /** The rules in force, the rules file's path (null: none), and why its last reload was refused. */
  getRules: { params: Record<string, never>; result: RulesState };
  /** Checks, saves and applies new rules; an invalid rule is an error naming the rule and the field. */
  setRules: { params: { rules: Rule[] }; result: RulesState };
}
