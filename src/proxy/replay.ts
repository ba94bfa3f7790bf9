// Replay: open a new connection like a recorded one (same URL or another target, the recorded
// headers with a fresh key), send the recorded client messages in order (what the server received, or
// what the client sent), as fast as possible or with the original gaps, and compare the server's
// answers with the original ones (replay-comparison.ts).
import type { CapturedMessage, ConnectionRecord } from '../capture/capture-model.js';
import type { Session } from '../capture/session.js';
import type { ReplayComparison } from '../control/api-types.js';
import { headerValues } from '../protocol/http-head.js';
import { OwnClient } from './own-client.js';
import { compareAnswers, messagesToReplay, serverAnswers, type ReplaySource } from './replay-comparison.js';
import type { ProxyServer } from './proxy-server.js';

export interface ReplayOptions {
  /** 'fast': back to back; 'original': the recorded gaps, divided by speed. */
  timing: 'fast' | 'original';
  /** How much faster than the original (2 = twice as fast). Default 1. */
  speed?: number;
  /** Another ws:// or wss:// URL to replay against. */
  targetUrl?: string;
  /** received (default): what the server received; sent: what the client sent, before breakpoints changed it. */
  source?: ReplaySource;
  /** Once everything is sent, how long the server may stay quiet before the replay ends, ms. Default 1500. */
  idleTimeout?: number;
  /** The longest a replay waits for answers after the last message, ms. Default 30 s. */
  maxWait?: number;
}

/** Headers the replay does not copy: the handshake's own (a fresh key), hop-by-hop, and compression. */
const NOT_COPIED = new Set(['host', 'upgrade', 'connection', 'sec-websocket-key', 'sec-websocket-version', 'sec-websocket-accept', 'sec-websocket-extensions', 'sec-websocket-protocol', 'proxy-connection', 'proxy-authorization', 'content-length', 'transfer-encoding']);

export interface ReplayRun {
  /** The new connection. */
  connectionId: number;
  /** Resolves with the comparison once the replay is over. */
  done: Promise<ReplayComparison>;
}

export async function replayConnection(
  proxy: ProxyServer,
  session: Session,
  original: ConnectionRecord,
  messages: CapturedMessage[],
  options: ReplayOptions,
): Promise<ReplayRun> {
  const raw = original.request.rawHeaders;
  const headers: [string, string][] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) if (!NOT_COPIED.has(raw[i]!.toLowerCase())) headers.push([raw[i]!, raw[i + 1]!]);
  const protocols = headerValues(raw, 'sec-websocket-protocol').flatMap((v) => v.split(',').map((p) => p.trim()).filter(Boolean));
  const client = await OwnClient.open(proxy, { url: options.targetUrl ?? original.url, headers, protocols });
  const replay = client.connection;
  replay.replayOf = original.id;
  session.updated(replay);

  const answers: CapturedMessage[] = [];
  let lastAnswer = Date.now();
  let finished = false;
  const onMessage = (c: ConnectionRecord, m: CapturedMessage) => {
    if (c.id === replay.id && m.direction === 'receive' && !m.injected) {
      answers.push(m);
      lastAnswer = Date.now();
    }
  };
  const onClosed = (c: ConnectionRecord) => { if (c.id === replay.id) finished = true; };
  session.on('message', onMessage);
  session.on('connection-closed', onClosed);
  // The answers are compared by their data.
  const stopReading = session.readPayloads();

  const sent = messagesToReplay(messages, options.source ?? 'received');
  const expected = serverAnswers(messages);
  const speed = options.speed && options.speed > 0 ? options.speed : 1;

  const done = (async () => {
    try {
      let previous = sent[0]?.time ?? 0;
      for (const m of sent) {
        if (finished) break;
        if (options.timing === 'original') {
          await sleep(Math.max(0, (m.time - previous) / speed));
          previous = m.time;
        }
        client.send(m.message.opcode === 2 ? 2 : 1, m.message.data);
      }
      const idle = options.idleTimeout ?? 1_500;
      const deadline = Date.now() + (options.maxWait ?? 30_000);
      lastAnswer = Math.max(lastAnswer, Date.now());
      while (!finished && answers.length < expected.length && Date.now() < deadline && Date.now() - lastAnswer < idle) await sleep(25);
      if (!finished) client.close(1000, 'replay done');
    } finally {
      session.off('message', onMessage);
      session.off('connection-closed', onClosed);
      stopReading();
    }
    return compareAnswers(original.id, replay.id, expected, answers);
  })();
  return { connectionId: replay.id, done };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
