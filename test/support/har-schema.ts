// A structural check of HAR 1.2 (the required fields of log, entries, request, response, timings)
// plus the WebSocket fields of DESIGN.md. Returns the problems found; empty means valid.
type Json = Record<string, unknown>;

/** A HAR frame as the tests read it. */
export interface HarFrameJson {
  type: 'send' | 'receive';
  time: number;
  fin: boolean;
  rsv1: boolean;
  rsv2: boolean;
  rsv3: boolean;
  opcode: number;
  masked: boolean;
  maskKey?: string;
  /** A number up to 2^53 − 1, decimal digits beyond. */
  payloadLength: number | string;
  closeCode?: number;
  closeReason?: string;
  violations?: string[];
  injected?: boolean;
  edited?: boolean;
  dropped?: boolean;
}

/** A HAR WebSocket entry as the tests read it (what exportHar writes). */
export interface HarEntryJson {
  _resourceType: string;
  startedDateTime: string;
  request: { method: string; url: string; headers: { name: string; value: string }[]; queryString: { name: string; value: string }[] };
  response: { status: number; headers: { name: string; value: string }[] };
  _webSocketMessages: { type: 'send' | 'receive'; time: number; opcode: number; data: string }[];
  _webSocketFrames: HarFrameJson[];
  _webSocketClose?: { code: number; reason: string; closedBy: 'client' | 'server' };
  _error?: string;
  _framescope: { tls?: { verified: boolean; insecure: boolean; error?: string } } & Record<string, unknown>;
}

export function harProblems(har: unknown): string[] {
  const problems: string[] = [];
  const need = (cond: boolean, what: string) => { if (!cond) problems.push(what); };
  const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
  const nameValues = (v: unknown, where: string) => {
    need(Array.isArray(v), `${where} is an array`);
    if (Array.isArray(v)) v.forEach((p, i) => need(isObj(p) && typeof p.name === 'string' && typeof p.value === 'string', `${where}[${i}] has name and value strings`));
  };
  need(isObj(har) && isObj(har.log), 'log is an object');
  if (!isObj(har) || !isObj(har.log)) return problems;
  const log = har.log;
  need(log.version === '1.2', 'log.version is 1.2');
  need(isObj(log.creator) && typeof log.creator.name === 'string' && typeof log.creator.version === 'string', 'log.creator has name and version');
  need(Array.isArray(log.entries), 'log.entries is an array');
  (Array.isArray(log.entries) ? log.entries : []).forEach((e: unknown, i: number) => {
    const at = `entries[${i}]`;
    if (!isObj(e)) { problems.push(`${at} is an object`); return; }
    need(typeof e.startedDateTime === 'string' && !Number.isNaN(Date.parse(e.startedDateTime)), `${at}.startedDateTime is an ISO date`);
    need(typeof e.time === 'number' && e.time >= 0, `${at}.time is a number >= 0`);
    need(isObj(e.cache), `${at}.cache is an object`);
    const t = e.timings;
    need(isObj(t) && typeof t.send === 'number' && typeof t.wait === 'number' && typeof t.receive === 'number', `${at}.timings has send, wait, receive`);
    const q = e.request;
    need(isObj(q), `${at}.request is an object`);
    if (isObj(q)) {
      for (const f of ['method', 'url', 'httpVersion']) need(typeof q[f] === 'string', `${at}.request.${f} is a string`);
      nameValues(q.headers, `${at}.request.headers`);
      nameValues(q.queryString, `${at}.request.queryString`);
      need(Array.isArray(q.cookies), `${at}.request.cookies is an array`);
      need(typeof q.headersSize === 'number' && typeof q.bodySize === 'number', `${at}.request sizes are numbers`);
      need(typeof q.url === 'string' && /^wss?:\/\//.test(q.url), `${at}.request.url keeps the ws:// or wss:// scheme`);
    }
    const r = e.response;
    need(isObj(r), `${at}.response is an object`);
    if (isObj(r)) {
      need(typeof r.status === 'number', `${at}.response.status is a number`);
      for (const f of ['statusText', 'httpVersion', 'redirectURL']) need(typeof r[f] === 'string', `${at}.response.${f} is a string`);
      nameValues(r.headers, `${at}.response.headers`);
      need(Array.isArray(r.cookies), `${at}.response.cookies is an array`);
      need(isObj(r.content) && typeof r.content.size === 'number' && typeof r.content.mimeType === 'string', `${at}.response.content has size and mimeType`);
      need(typeof r.headersSize === 'number' && typeof r.bodySize === 'number', `${at}.response sizes are numbers`);
    }
    need(e._resourceType === 'websocket', `${at}._resourceType is websocket`);
    need(Array.isArray(e._webSocketMessages), `${at}._webSocketMessages is an array`);
    (Array.isArray(e._webSocketMessages) ? e._webSocketMessages : []).forEach((m: unknown, j: number) => {
      need(isObj(m) && (m.type === 'send' || m.type === 'receive') && typeof m.time === 'number' && (m.opcode === 1 || m.opcode === 2) && typeof m.data === 'string',
        `${at}._webSocketMessages[${j}] has type, time, opcode 1|2 and data`);
    });
    (Array.isArray(e._webSocketFrames) ? e._webSocketFrames : []).forEach((f: unknown, j: number) => {
      const ok = isObj(f) && (f.type === 'send' || f.type === 'receive') && typeof f.time === 'number' &&
        ['fin', 'rsv1', 'rsv2', 'rsv3', 'masked'].every((k) => typeof f[k] === 'boolean') &&
        typeof f.opcode === 'number' &&
        (Number.isSafeInteger(f.payloadLength) || (typeof f.payloadLength === 'string' && /^\d+$/.test(f.payloadLength) && BigInt(f.payloadLength) > BigInt(Number.MAX_SAFE_INTEGER))) &&
        (f.masked ? typeof f.maskKey === 'string' && /^[0-9a-f]{8}$/.test(f.maskKey) : !('maskKey' in f));
      need(ok, `${at}._webSocketFrames[${j}] has the frame fields`);
    });
    if (e._webSocketClose !== undefined) {
      const c = e._webSocketClose;
      need(isObj(c) && typeof c.code === 'number' && typeof c.reason === 'string' && (c.closedBy === 'client' || c.closedBy === 'server'), `${at}._webSocketClose has code, reason, closedBy`);
    }
  });
  return problems;
}
