// Close status codes (RFC 6455 §7.4), copied from src/protocol/close-codes.ts because the renderer may
// not import runtime code from the engine: the name and meaning of any code, known or not.

export interface CloseCodeText {
  /** A short name, e.g. "Normal Closure". */
  name: string;
  /** What the code means, in one line. */
  meaning: string;
}

const NAMED_CODES: Readonly<Record<number, CloseCodeText>> = {
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

/** Name and meaning of any close code, by the ranges of RFC 6455 §7.4.2 when it has no name. */
export function describeCloseCode(code: number): CloseCodeText {
  const named = NAMED_CODES[code];
  if (named) return named;
  if (!Number.isInteger(code) || code < 0 || code >= 5000) return { name: 'Invalid', meaning: 'Outside every range of close codes. Must not be sent.' };
  if (code < 1000) return { name: 'Unused', meaning: 'Codes below 1000 are not used. Must not be sent.' };
  if (code < 2000) return { name: 'Unassigned', meaning: 'Reserved for future revisions of the protocol. Must not be sent.' };
  if (code < 3000) return { name: 'Unassigned (extensions)', meaning: 'Reserved for extensions; none is defined. Must not be sent.' };
  if (code < 4000) return { name: 'Library/framework code', meaning: 'A code for libraries, frameworks and applications, registered with IANA.' };
  return { name: 'Private use', meaning: 'An application-defined code, agreed between the peers.' };
}

/** The codes offered in the composer's close menu: those an endpoint may send (RFC 6455 §7.4.1). */
export const SENDABLE_CLOSE_CODES: readonly number[] = [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3003, 3008, 4000];
