// Close status codes (RFC 6455 §7.4): what each means and which may be sent on the wire. Plain data
// and functions, no Node APIs: the UI imports this module too, so the names live in one place.

/** The ranges of RFC 6455 §7.4.2, plus codes that do not fit in the 16-bit field. */
export type CloseCodeRange =
  /** 0-999: not used. */
  | 'unused'
  /** 1000-2999: defined by RFC 6455, its revisions and extensions. */
  | 'protocol'
  /** 3000-3999: registered with IANA, for libraries, frameworks and applications. */
  | 'registered'
  /** 4000-4999: private use by agreement between the peers. */
  | 'private'
  /** 5000-65535 (or not a 16-bit number): outside every range. */
  | 'out-of-range';

export interface CloseCodeInfo {
  /** A short name, e.g. "Normal Closure". */
  name: string;
  /** What the code means, in one line. */
  meaning: string;
  /** Which range of RFC 6455 §7.4.2 the code falls in. */
  range: CloseCodeRange;
}

/** Codes with a name: RFC 6455 §7.4.1 and the IANA WebSocket Close Code Number Registry. */
const NAMED_CODES: Readonly<Record<number, Omit<CloseCodeInfo, 'range'>>> = {
  1000: { name: 'Normal Closure', meaning: 'The purpose for which the connection was established has been fulfilled.' },
  1001: { name: 'Going Away', meaning: 'The endpoint is going away: a server going down or a browser leaving the page.' },
  1002: { name: 'Protocol Error', meaning: 'The endpoint is closing because of a protocol error.' },
  1003: { name: 'Unsupported Data', meaning: 'The endpoint received a type of data it cannot accept (e.g. binary when it only understands text).' },
  1004: { name: 'Reserved', meaning: 'Reserved; its meaning might be defined in the future. Must not be sent.' },
  1005: { name: 'No Status Rcvd', meaning: 'Reported by an endpoint when the close frame carried no status code. Must not be sent.' },
  1006: { name: 'Abnormal Closure', meaning: 'Reported by an endpoint when the connection ended without a close frame. Must not be sent.' },
  1007: { name: 'Invalid Frame Payload Data', meaning: 'A message held data inconsistent with its type (e.g. text that is not UTF-8).' },
  1008: { name: 'Policy Violation', meaning: 'A message violated the endpoint\'s policy (the generic code when no other fits).' },
  1009: { name: 'Message Too Big', meaning: 'A message was too big for the endpoint to process.' },
  1010: { name: 'Mandatory Extension', meaning: 'The client needed an extension that the server did not negotiate.' },
  1011: { name: 'Internal Error', meaning: 'The server met an unexpected condition that kept it from fulfilling the request.' },
  1012: { name: 'Service Restart', meaning: 'The service is restarting; the client may reconnect.' },
  1013: { name: 'Try Again Later', meaning: 'The service is temporarily overloaded; the client should reconnect later.' },
  1014: { name: 'Bad Gateway', meaning: 'A gateway or proxy received an invalid response from the upstream server.' },
  1015: { name: 'TLS handshake', meaning: 'Reported by an endpoint when the TLS handshake failed. Must not be sent.' },
  3000: { name: 'Unauthorized', meaning: 'The endpoint is not authorized (registered with IANA; like HTTP 401).' },
  3003: { name: 'Forbidden', meaning: 'The endpoint is authenticated but not allowed (registered with IANA; like HTTP 403).' },
  3008: { name: 'Timeout', meaning: 'The endpoint timed out (registered with IANA; like HTTP 408).' },
};

/** Name, meaning and range of any close code, known or not. */
export function describeCloseCode(code: number): CloseCodeInfo {
  const range = closeCodeRange(code);
  const named = NAMED_CODES[code];
  if (named !== undefined) return { ...named, range };
  switch (range) {
    case 'unused':
      return { name: 'Unused', meaning: 'Codes below 1000 are not used. Must not be sent.', range };
    case 'protocol':
      return code < 2000
        ? { name: 'Unassigned', meaning: 'Reserved for future revisions of the protocol. Must not be sent.', range }
        : { name: 'Unassigned (extensions)', meaning: 'Reserved for extensions; none is defined. Must not be sent.', range };
    case 'registered':
      return { name: 'Library/framework code', meaning: 'A code for libraries, frameworks and applications, registered with IANA.', range };
    case 'private':
      return { name: 'Private use', meaning: 'An application-defined code, agreed between the peers.', range };
    case 'out-of-range':
      return { name: 'Invalid', meaning: 'Outside every range of close codes. Must not be sent.', range };
  }
}

function closeCodeRange(code: number): CloseCodeRange {
  if (!Number.isInteger(code) || code < 0 || code >= 5000) return 'out-of-range';
  if (code < 1000) return 'unused';
  if (code < 3000) return 'protocol';
  if (code < 4000) return 'registered';
  return 'private';
}

/**
 * True when an endpoint may send the code in a close frame (RFC 6455 §7.4.1, §7.4.2): 1000-1003,
 * 1007-1014 and 3000-4999. 1004-1006 and 1015 are reserved, 1016-2999 unassigned.
 */
export function isValidWireCloseCode(code: number): boolean {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
}
