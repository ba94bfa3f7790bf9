// Rules as data: what a rules file holds and what the control API carries. A rule is an ordered
// list entry: a scope (which connections and which direction), a match (which messages), then
// actions. Message actions change one matched message; connection actions shape a whole connection
// whose scope matches. Everything here is JSON and round-trips without loss (mockttp's model).

/** Which way a message travels: send (client to server), receive (server to client), or both. */
export type RuleDirection = 'send' | 'receive' | 'both';

/** Which connections a rule applies to. Every field set must hold. */
export interface RuleScope {
  /** The connection URL: a substring, or /regex/flags. */
  url?: string;
  /** The host (with port when the URL has one): a substring, or /regex/flags. */
  host?: string;
  /** Which way; both when absent. */
  direction?: RuleDirection;
}

/** Which messages a rule applies to. Every field set must hold; an empty match matches every message. */
export interface RuleMatch {
  /** Only text (1) or binary (2) messages. */
  opcode?: 1 | 2;
  /** A substring of the message (looked for in its bytes). */
  contains?: string;
  /** A regular expression over the message text: "pattern" or /pattern/flags. */
  regex?: string;
  /** A JSON value in the message, found by a path such as $.type or $.items[0].id. */
  json?: { path: string; equals?: unknown; matches?: string };
  /**
   * Protocol fields a lens decodes, as a filter in the UI's syntax (`socket.io.event:chat`,
   * `mqtt.topic:sensors/#`, several terms all holding for one packet), via matchProtocolField.
   */
  protocol?: string;
}

/** A regex replace over the message text, a JSON merge patch (RFC 7396), a JSON patch (RFC 6902), or a new payload. */
export type RewriteSpec =
  | { regex: string; replace: string; flags?: string }
  | { mergePatch: unknown }
  | { jsonPatch: JsonPatchOp[] }
  | { payload: string; base64?: boolean };

/** One RFC 6902 operation. */
export interface JsonPatchOp {
  op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
  /** A JSON pointer (RFC 6901). */
  path: string;
  value?: unknown;
  from?: string;
}

/** What a rule does to a message it matched. */
export type MessageAction =
  | { type: 'rewrite' } & RewriteSpec
  | { type: 'delay'; ms: number; jitter?: number }
  | { type: 'drop' }
  | { type: 'duplicate'; count?: number }
  /** A message back to the sender; {{text}}, {{json.a.b}} and {{base64}} are filled from the matched message. */
  | { type: 'reply'; payload: string; base64?: boolean; forward?: boolean }
  | { type: 'close'; code?: number; reason?: string }
  | { type: 'abort' }
  | { type: 'breakpoint' };

/** What a rule does to a connection its scope matches. */
export type ConnectionAction =
  | { type: 'refuseHandshake'; status: number; body?: string }
  | { type: 'delayHandshake'; ms: number }
  /** The handshake waits for the user (today's handshake breakpoint). */
  | { type: 'holdHandshake' }
  /** Cuts the connection after N messages (matching the rule) or T milliseconds: a TCP reset, or a close frame. */
  | { type: 'dropConnection'; afterMessages?: number; afterMs?: number; close?: { code?: number; reason?: string } }
  | { type: 'throttle'; bytesPerSecond: number }
  | { type: 'latency'; ms: number }
  /**
   * Serves the connection from a recording instead of the server (README "Mocks"): source is a saved
   * session's name or a HAR file; connection picks one of its connections.
   */
  | { type: 'serveFromRecording'; source: string; connection?: number; timing?: 'recorded' | 'fast'; match?: 'content' | 'protocol' | 'order' };

export type RuleAction = MessageAction | ConnectionAction;

export interface Rule {
  /** Names the rule in marks (UI badge, HAR `_rule`) and errors; unique in a list. */
  name: string;
  /** Switched on (default true). */
  enabled: boolean;
  scope?: RuleScope;
  match?: RuleMatch;
  /** At least one. */
  actions: RuleAction[];
}

/** A rules file: {"rules": [...]}. */
export interface RulesFile {
  rules: Rule[];
}

export const MESSAGE_ACTIONS = ['rewrite', 'delay', 'drop', 'duplicate', 'reply', 'close', 'abort', 'breakpoint'] as const;
export const CONNECTION_ACTIONS = ['refuseHandshake', 'delayHandshake', 'holdHandshake', 'dropConnection', 'throttle', 'latency', 'serveFromRecording'] as const;

export function isMessageAction(action: RuleAction): action is MessageAction {
  return (MESSAGE_ACTIONS as readonly string[]).includes(action.type);
}
