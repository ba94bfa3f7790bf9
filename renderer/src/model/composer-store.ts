// The composer: a message, control frame or hand-crafted raw frame to put into a live connection,
// its content as text, JSON (validated), hex or base64, and the user's saved snippets.
import type { ControlClient } from '../api/control-client.js';
import type { Direction, InjectSpec, RawFrameSpec } from '../api/wire.js';
import { base64ToBytes, bytesToBase64, decodeUtf8, encodeUtf8, hexToBytes, parseBase64, bytesToHex } from '../protocol/bytes.js';
import { Observable } from './observable.js';

export type ContentFormat = 'text' | 'json' | 'hex' | 'base64';
export type ComposerKind = 'message' | 'ping' | 'pong' | 'close' | 'raw';

export interface RawFields {
  fin: boolean;
  rsv1: boolean;
  rsv2: boolean;
  rsv3: boolean;
  /** 0-15. */
  opcode: number;
  mask: boolean;
  /** 8 hex digits, or '' for a fresh random key. */
  maskKey: string;
  /** A false length field, or '' for the payload's length. */
  payloadLength: string;
  /** 'auto' for the minimal form. */
  lengthForm: 'auto' | 7 | 16 | 64;
}

export interface Snippet {
  /** The name the user gave it. */
  name: string;
  format: ContentFormat;
  kind: ComposerKind;
  content: string;
}

/** A captured message being sent again: what it was, to tell whether it was edited. */
export interface ResendSource {
  connectionId: number;
  messageNumber: number;
  direction: Direction;
  opcode: 1 | 2;
  /** The original content, base64. */
  dataBase64: string;
}

const SNIPPETS_KEY = 'framescope.snippets';

export const DEFAULT_RAW: RawFields = { fin: true, rsv1: false, rsv2: false, rsv3: false, opcode: 1, mask: true, maskKey: '', payloadLength: '', lengthForm: 'auto' };

export class ComposerStore extends Observable {
  kind: ComposerKind = 'message';
  format: ContentFormat = 'text';
  direction: Direction = 'send';
  /** The content exactly as it will be sent (as text, or hex or base64 digits). */
  content = '';
  /** Moves whenever the content is set from outside the editor (a resend, a snippet, Format, a format change). */
  contentRevision = 0;
  closeCode = '1000';
  closeReason = '';
  raw: RawFields = { ...DEFAULT_RAW };
  resendOf: ResendSource | undefined;
  snippets: Snippet[];
  sending = false;
  /** What the last send did. */
  result: { ok: boolean; message: string } | undefined;
  readonly initialized = Promise.resolve();

  constructor(private readonly client: ControlClient, private readonly storage: Storage | undefined) {
    super();
    this.snippets = this.readSnippets();
  }

  update(changes: Partial<Pick<ComposerStore, 'kind' | 'format' | 'direction' | 'content' | 'closeCode' | 'closeReason'>>): void {
    if (changes.format && changes.format !== this.format && changes.content === undefined) this.setContent(convert(this.content, this.format, changes.format));
    Object.assign(this, changes);
    this.result = undefined;
    this.changed();
  }

  updateRaw(changes: Partial<RawFields>): void {
    this.raw = { ...this.raw, ...changes };
    this.changed();
  }

  /** Puts a message encoded in the connection's protocol (the protocol composer) into the editor. */
  loadEncoded(direction: Direction, opcode: 1 | 2, dataBase64: string): void {
    const bytes = base64ToBytes(dataBase64);
    const text = decodeUtf8(bytes);
    this.kind = 'message';
    this.direction = direction;
    this.resendOf = undefined;
    this.result = undefined;
    if (opcode === 1 && text.valid) {
      this.format = looksLikeJson(text.text) ? 'json' : 'text';
      this.setContent(text.text);
    } else {
      this.format = 'hex';
      this.setContent(bytesToHex(bytes, ' '));
    }
    this.changed();
  }

  /** Loads a captured message to send again, as it is or edited. */
  loadForResend(source: ResendSource): void {
    const bytes = base64ToBytes(source.dataBase64);
    const text = decodeUtf8(bytes);
    this.kind = 'message';
    this.direction = source.direction;
    this.resendOf = source;
    // The exact text: a resend as it was must be byte for byte what was captured (Format pretty-prints on request).
    if (source.opcode === 1 && text.valid) {
      this.format = looksLikeJson(text.text) ? 'json' : 'text';
      this.setContent(text.text);
    } else {
      this.format = 'hex';
      this.setContent(bytesToHex(bytes, ' '));
    }
    this.result = undefined;
    this.changed();
  }

  /** Pretty-prints JSON content (two-space indent), when it parses; the user asks for it. */
  formatContent(): void {
    const pretty = prettyJson(this.content);
    if (pretty === this.content) return;
    this.setContent(pretty);
    this.result = undefined;
    this.changed();
  }

  detachResend(): void {
    this.resendOf = undefined;
    this.changed();
  }

  /** The payload the content stands for, or why it is not valid. */
  payload(): { bytes: Uint8Array; error?: undefined } | { bytes?: undefined; error: string } {
    try {
      switch (this.format) {
        case 'text':
          return { bytes: encodeUtf8(this.content) };
        case 'json':
          JSON.parse(this.content);
          return { bytes: encodeUtf8(this.content) };
        case 'hex':
          return { bytes: hexToBytes(this.content) };
        case 'base64':
          return { bytes: parseBase64(this.content) };
      }
    } catch (error) {
      return { error: `${this.format === 'json' ? 'JSON' : this.format}: ${(error as Error).message}` };
    }
  }

  /** Sends to a connection; the result says what happened. */
  async send(connectionId: number): Promise<void> {
    const payload = this.payload();
    if (payload.error !== undefined && this.kind !== 'close') {
      this.result = { ok: false, message: payload.error };
      this.changed();
      return;
    }
    const dataBase64 = payload.bytes ? bytesToBase64(payload.bytes) : '';
    const opcode: 1 | 2 = this.format === 'text' || this.format === 'json' ? 1 : 2;
    this.sending = true;
    this.changed();
    try {
      if (this.kind === 'raw') {
        const frame: RawFrameSpec = {
          fin: this.raw.fin, rsv1: this.raw.rsv1, rsv2: this.raw.rsv2, rsv3: this.raw.rsv3, opcode: this.raw.opcode, mask: this.raw.mask,
          payloadBase64: dataBase64,
          ...(this.raw.mask && this.raw.maskKey ? { maskKey: this.raw.maskKey } : {}),
          // Past 2^53 − 1 the digits go as they are: a number would round them.
          ...(this.raw.payloadLength !== '' ? { payloadLength: Number.isSafeInteger(Number(this.raw.payloadLength)) ? Number(this.raw.payloadLength) : this.raw.payloadLength } : {}),
          ...(this.raw.lengthForm !== 'auto' ? { lengthForm: this.raw.lengthForm } : {}),
        };
        const problem = rawProblem(this.raw);
        if (problem) throw new Error(problem);
        await this.client.request('sendRawFrame', { connectionId, direction: this.direction, frame });
      } else if (this.kind === 'message' && this.resendOf && this.resendOf.connectionId === connectionId) {
        const edited = dataBase64 !== this.resendOf.dataBase64 || opcode !== this.resendOf.opcode;
        await this.client.request('resend', {
          connectionId, messageNumber: this.resendOf.messageNumber, direction: this.direction,
          ...(edited ? { edited: { opcode, dataBase64 } } : {}),
        });
      } else {
        const message: InjectSpec = this.kind === 'message'
          ? { kind: opcode === 1 ? 'text' : 'binary', dataBase64 }
          : this.kind === 'close'
            ? { kind: 'close', ...(this.closeCode !== '' ? { closeCode: Number(this.closeCode) } : {}), ...(this.closeReason ? { closeReason: this.closeReason } : {}) }
            : { kind: this.kind, dataBase64 };
        await this.client.request('inject', { connectionId, direction: this.direction, message });
      }
      this.result = { ok: true, message: `Sent ${this.direction === 'send' ? 'to the server' : 'to the client'}` };
    } catch (error) {
      this.result = { ok: false, message: (error as Error).message };
    }
    this.sending = false;
    this.changed();
  }

  saveSnippet(name: string): void {
    this.snippets = [...this.snippets.filter((s) => s.name !== name), { name, format: this.format, kind: this.kind, content: this.content }];
    this.writeSnippets();
  }

  loadSnippet(name: string): void {
    const snippet = this.snippets.find((s) => s.name === name);
    if (!snippet) return;
    this.kind = snippet.kind;
    this.format = snippet.format;
    this.setContent(snippet.content);
    this.resendOf = undefined;
    this.result = undefined;
    this.changed();
  }

  deleteSnippet(name: string): void {
    this.snippets = this.snippets.filter((s) => s.name !== name);
    this.writeSnippets();
  }

  /** Sets the content from outside the editor, which then shows it. */
  private setContent(content: string): void {
    this.content = content;
    this.contentRevision++;
  }

  private readSnippets(): Snippet[] {
    try {
      const list = JSON.parse(this.storage?.getItem(SNIPPETS_KEY) ?? '[]') as unknown;
      return Array.isArray(list) ? (list as Snippet[]).filter((s) => typeof s?.name === 'string' && typeof s.content === 'string') : [];
    } catch {
      return [];
    }
  }

  private writeSnippets(): void {
    try {
      this.storage?.setItem(SNIPPETS_KEY, JSON.stringify(this.snippets));
    } catch {
      // Storage full or off: the snippets last for this window.
    }
    this.changed();
  }
}

/** Why the raw fields cannot be sent as they are, if they cannot. */
export function rawProblem(raw: RawFields): string | undefined {
  if (!Number.isInteger(raw.opcode) || raw.opcode < 0 || raw.opcode > 15) return 'the opcode is 4 bits: 0-15';
  if (raw.mask && raw.maskKey !== '' && !/^[0-9a-fA-F]{8}$/.test(raw.maskKey)) return 'the masking key is 8 hex digits';
  if (raw.payloadLength !== '' && !/^\d+$/.test(raw.payloadLength)) return 'the length field is a whole number';
  if (raw.payloadLength !== '' && BigInt(raw.payloadLength) > BigInt('18446744073709551615')) return 'the length field holds at most 2^64 − 1 (18446744073709551615)';
  return undefined;
}

export function looksLikeJson(text: string): boolean {
  const t = text.trim();
  if (!(t.startsWith('{') || t.startsWith('['))) return false;
  try {
    JSON.parse(t);
    return true;
  } catch {
    return false;
  }
}

export function prettyJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

/** Carries the content over when the format changes, where the bytes can be kept. */
function convert(content: string, from: ContentFormat, to: ContentFormat): string {
  let bytes: Uint8Array;
  try {
    bytes = from === 'hex' ? hexToBytes(content) : from === 'base64' ? parseBase64(content) : encodeUtf8(content);
  } catch {
    return content;
  }
  if (to === 'hex') return bytesToHex(bytes, ' ');
  if (to === 'base64') return bytesToBase64(bytes);
  const text = decodeUtf8(bytes);
  return text.valid ? text.text : content;
}
