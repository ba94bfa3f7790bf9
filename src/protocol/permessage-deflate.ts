// The permessage-deflate extension's negotiated parameters (RFC 7692 §7.1), and what they mean for
// each direction's compressor and decompressor.
import { parseExtensions } from './extension-header.js';
import type { ExtensionOffer } from './extension-header.js';
import type { Sender } from './frame.js';

export const PERMESSAGE_DEFLATE = 'permessage-deflate';

/** The parameters agreed in the server's Sec-WebSocket-Extensions response (RFC 7692 §7.1). */
export interface DeflateParams {
  /** The server resets its compressor after each message (RFC 7692 §7.1.1.1). */
  serverNoContextTakeover: boolean;
  /** The client resets its compressor after each message (RFC 7692 §7.1.1.2). */
  clientNoContextTakeover: boolean;
  /** Base-2 log of the server's LZ77 window, 8-15; 15 when not given (RFC 7692 §7.1.2.1). */
  serverMaxWindowBits: number;
  /** Base-2 log of the client's LZ77 window, 8-15; 15 when not given (RFC 7692 §7.1.2.2). */
  clientMaxWindowBits: number;
}

/** The compression of one direction: what its sender's compressor and its receiver's decompressor use. */
export interface DirectionDeflate {
  /** Base-2 log of the LZ77 window the sender may use, 8-15. */
  windowBits: number;
  /** The sender starts every message with an empty history. */
  noContextTakeover: boolean;
}

export interface ParsedDeflateParams {
  /** The parameters, with defaults for what was not given and what was invalid. */
  params: DeflateParams;
  /** One line per problem: unknown parameter, duplicate, bad value. Empty when all is well. */
  problems: string[];
}

export const DEFAULT_DEFLATE_PARAMS: DeflateParams = {
  serverNoContextTakeover: false,
  clientNoContextTakeover: false,
  serverMaxWindowBits: 15,
  clientMaxWindowBits: 15,
};

// RFC 7692 §7.1.2.1: 1*DIGIT without leading zeros, 8 to 15 inclusive.
const WINDOW_BITS = /^(?:[89]|1[0-5])$/;

/**
 * Reads the parameters of one permessage-deflate element. `from` says who wrote it: in the server's
 * response ('server', the default) every parameter is binding and client_max_window_bits needs a value;
 * in a client's offer, client_max_window_bits may come without one ("I support it", RFC 7692 §7.1.2.2).
 * Problems are reported and the offending parameter ignored; parameter names compare case-insensitively.
 */
export function parseDeflateParams(offer: ExtensionOffer, from: Sender = 'server'): ParsedDeflateParams {
  const params: DeflateParams = { ...DEFAULT_DEFLATE_PARAMS };
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const { name: rawName, value } of offer.params) {
    const name = rawName.toLowerCase();
    if (seen.has(name)) {
      problems.push(`duplicate parameter "${rawName}" (RFC 7692 §7.1)`);
      continue;
    }
    seen.add(name);
    switch (name) {
      case 'server_no_context_takeover':
      case 'client_no_context_takeover':
        if (value !== null) {
          problems.push(`parameter "${rawName}" must not have a value, got "${value}" (RFC 7692 §7.1.1)`);
        } else if (name === 'server_no_context_takeover') {
          params.serverNoContextTakeover = true;
        } else {
          params.clientNoContextTakeover = true;
        }
        break;
      case 'server_max_window_bits':
      case 'client_max_window_bits': {
        if (value === null) {
          if (name === 'client_max_window_bits' && from === 'client') break; // a client may offer it bare
          problems.push(`parameter "${rawName}" needs a value from 8 to 15 (RFC 7692 §7.1.2)`);
        } else if (!WINDOW_BITS.test(value)) {
          problems.push(`parameter "${rawName}" has the invalid value "${value}"; expected 8 to 15 (RFC 7692 §7.1.2)`);
        } else if (name === 'server_max_window_bits') {
          params.serverMaxWindowBits = Number(value);
        } else {
          params.clientMaxWindowBits = Number(value);
        }
        break;
      }
      default:
        problems.push(`unknown parameter "${rawName}" (RFC 7692 §7.1)`);
    }
  }
  return { params, problems };
}

export interface NegotiatedDeflate {
  /** The agreed parameters, or null when the response did not accept permessage-deflate. */
  params: DeflateParams | null;
  /** Problems with the header and with the parameters. Empty when all is well. */
  problems: string[];
}

/**
 * What permessage-deflate the server's Sec-WebSocket-Extensions response agreed on. The server accepts
 * at most one element (RFC 7692 §5); with more, the first one counts and the rest are reported.
 */
export function negotiatedDeflate(responseExtensionsHeader: string | string[] | undefined): NegotiatedDeflate {
  const { items, problems } = parseExtensions(responseExtensionsHeader);
  const offers = items.filter((item) => item.name.toLowerCase() === PERMESSAGE_DEFLATE);
  const first = offers[0];
  if (!first) return { params: null, problems };
  if (offers.length > 1) problems.push(`the response accepts ${PERMESSAGE_DEFLATE} ${offers.length} times; only the first counts (RFC 7692 §5)`);
  const parsed = parseDeflateParams(first, 'server');
  return { params: parsed.params, problems: [...problems, ...parsed.problems] };
}

/**
 * The window and context takeover of the data that `sender` sends: the sender's compressor uses them, and
 * so must the receiver's decompressor that mirrors it (RFC 7692 §7.1.1, §7.1.2). Client-to-server data
 * follows the client_* parameters, server-to-client data the server_* ones.
 */
export function deflateForSender(params: DeflateParams, sender: Sender): DirectionDeflate {
  return sender === 'client'
    ? { windowBits: params.clientMaxWindowBits, noContextTakeover: params.clientNoContextTakeover }
    : { windowBits: params.serverMaxWindowBits, noContextTakeover: params.serverNoContextTakeover };
}
