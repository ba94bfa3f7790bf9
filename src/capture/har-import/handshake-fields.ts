// The handshake as a HAR entry gives it: when its heads arrived, what the proxy would have checked, what failed.
import type { RecordedCheck, RecordedRequest, RecordedResponse } from '../capture-model.js';
import { checkUpgradeRequest, checkUpgradeResponse } from '../../protocol/handshake.js';
import { headerValues } from '../../protocol/http-head.js';
import type { FramescopeFields } from './framescope-fields.js';
import { isObject, stringValue } from './json-values.js';
import type { Json } from './json-values.js';

/**
 * When the request and the response heads arrived. The exporter writes startedDateTime, time (to the end,
 * or to the response while the connection has no end) and timings.wait (response minus request).
 */
export function handshakeTimes(e: Json, startedAt: number, answered: boolean, fs: FramescopeFields | undefined): { request: number; response: number } {
  const timings = isObject(e.timings) ? e.timings : {};
  const positive = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : 0);
  if (!answered) return { request: startedAt, response: startedAt };
  if (fs) {
    const wait = positive(timings.wait);
    if (fs.endedAt === undefined && typeof e.time === 'number' && Number.isFinite(e.time)) {
      const response = startedAt + e.time;
      return { request: response - wait, response };
    }
    return { request: startedAt, response: startedAt + wait };
  }
  // HAR 1.2: ssl is included in connect; the answer comes after blocked, dns, connect, send and wait.
  const before = ['blocked', 'dns', 'connect', 'send', 'wait'].reduce((sum, k) => sum + positive(timings[k]), 0);
  return { request: startedAt, response: startedAt + before };
}

/** Checks, subprotocol and extensions from the handshake heads, as the proxy computes them. */
export function computedHandshake(request: RecordedRequest, response: RecordedResponse | undefined): { checks: RecordedCheck[]; protocol?: string; extensions?: string } {
  const handshakeRequest = { method: request.method, url: request.target, httpVersion: request.httpVersion, rawHeaders: request.rawHeaders };
  // A tool that wrote no request headers (Playwright, for a socket that never connected) leaves nothing to check.
  const checks: RecordedCheck[] = request.rawHeaders.length === 0 ? [] : checkUpgradeRequest(handshakeRequest).checks.map((c) => ({ ...c }));
  if (!response) return { checks };
  const summary = checkUpgradeResponse(handshakeRequest, {
    statusCode: response.statusCode, statusMessage: response.statusMessage, httpVersion: response.httpVersion, rawHeaders: response.rawHeaders,
  });
  checks.push(...summary.checks.map((c) => ({ ...c })));
  const result: { checks: RecordedCheck[]; protocol?: string; extensions?: string } = { checks };
  if (summary.protocol !== undefined) result.protocol = summary.protocol;
  const extensions = headerValues(response.rawHeaders, 'sec-websocket-extensions');
  if (extensions.length > 0) result.extensions = extensions.join(', ');
  return result;
}

/** What failed, as other tools write it: Chrome's response._error, Playwright's _failureText, mitmproxy's _error. */
export function foreignError(e: Json, response: RecordedResponse | undefined, browserErrors: string[]): string | undefined {
  const res = isObject(e.response) ? e.response : {};
  const written = stringValue(e._error) ?? stringValue(res._error) ?? stringValue(res._failureText) ?? browserErrors.find((t) => t !== '');
  if (written !== undefined) return written;
  // The proxy's own words for a refused handshake.
  if (response && response.statusCode !== 101) return `the server answered the handshake with ${response.statusCode} ${response.statusMessage}`.trimEnd();
  return undefined;
}

export function originForm(url: URL): string {
  return `${url.pathname || '/'}${url.search}`;
}
