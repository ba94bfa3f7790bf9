// Who may drive the inspector: only our own UI. A web page the user visits must not be able to, so
// every control connection needs the per-run token, a Host naming our loopback listener (against DNS
// rebinding), and an Origin that is our own (or none, for non-browser clients such as scripts).
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export function generateToken(): string {
  return randomBytes(32).toString('base64url');
}

export interface AccessPolicy {
  /** The per-run secret. */
  token: string;
  /** The port the control server listens on (Host and Origin must name it). */
  port: number;
}

/** Host names under which the loopback listener may be addressed. */
const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'];

/** Whether the Host header names our own listener. */
export function hostAllowed(host: string | undefined, policy: AccessPolicy): boolean {
  if (!host) return false;
  return LOOPBACK_NAMES.some((name) => host.toLowerCase() === `${name}:${policy.port}`);
}

/** Whether the Origin header, when present, is our UI's own origin. */
export function originAllowed(origin: string | undefined, policy: AccessPolicy): boolean {
  if (origin === undefined) return true;
  return LOOPBACK_NAMES.some((name) => origin.toLowerCase() === `http://${name}:${policy.port}`);
}

export function tokenMatches(given: string | null | undefined, policy: AccessPolicy): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(policy.token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Why a control connection is refused, or null when it may go on. */
export function refusal(req: IncomingMessage, policy: AccessPolicy): { status: number; reason: string } | null {
  if (!hostAllowed(req.headers.host, policy)) return { status: 421, reason: `Host ${JSON.stringify(req.headers.host ?? '')} is not this control server` };
  if (!originAllowed(req.headers.origin, policy)) return { status: 403, reason: `Origin ${JSON.stringify(req.headers.origin)} may not use the control API` };
  const token = new URL(req.url ?? '/', 'http://localhost').searchParams.get('token');
  if (!tokenMatches(token, policy)) return { status: 401, reason: 'missing or wrong token' };
  return null;
}
