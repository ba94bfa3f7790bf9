// One mocked connection, server side: reads the client's handshake from a stream, answers it like the
// recording (mock-handshake.ts), decodes what the client sends with the protocol core, asks the script
// matcher what to answer, and sends its plans in order, each at its due time. Pings are answered with
// pongs and a client's close is echoed, as any server does. The stream is one end of an in-process
// pair whose other end the proxy's bridge and relay hold, so everything is recorded like real traffic.
import type { Duplex } from 'node:stream';
import { parseHttpHead } from '../protocol/http-head.js';
import { StreamDecoder } from '../protocol/stream-decoder.js';
import { Deflater } from '../protocol/deflater.js';
import { deflateForSender } from '../protocol/permessage-deflate.js';
import { encodeClosePayload, encodeFrameBytes } from '../protocol/frame-encoder.js';
import { Opcode, type Message } from '../protocol/frame.js';
import { writeErrorResponse } from '../proxy/error-response.js';
import { answerHandshake, type RecordedAnswer } from './mock-handshake.js';
import type { PlannedSend, ScriptMatcher, TurnMatch } from './script-matcher.js';

export interface ScriptConnectionHandlers {
  /** A client message matched a recorded one. index: the client message's number on this connection, from 0. */
  onMatch?(match: TurnMatch, message: Message, index: number): void;
  /** A client message the recording does not answer. */
  onUnexpected?(message: Message, index: number): void;
}

/** How long a closing handshake the mock started may wait for the client's close. */
const CLOSE_WAIT = 5_000;
/** The longest handshake head the mock reads. */
const MAX_HEAD = 64 * 1024;

export function serveScript(socket: Duplex, matcher: ScriptMatcher, recorded: RecordedAnswer | undefined, handlers: ScriptConnectionHandlers = {}): void {
  let buffered: Buffer = Buffer.alloc(0);
  socket.on('error', () => socket.destroy());
  const onHead = (chunk: Buffer) => {
    buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
    const head = parseHttpHead(buffered);
    if (!head.complete && buffered.length <= MAX_HEAD) return;
    socket.off('data', onHead);
    if (!head.complete || !head.request) {
      writeErrorResponse(socket, 400, 'the mock did not get an HTTP request');
      return;
    }
    const answer = answerHandshake({ method: head.request.method, rawHeaders: head.rawHeaders }, recorded);
    if (!answer.ok) {
      writeErrorResponse(socket, answer.status, answer.reason);
      return;
    }
    socket.write(answer.head);
    new ScriptConnection(socket, matcher, answer.deflate ? new Deflater(deflateForSender(answer.deflate, 'server')) : null, handlers)
      .start(answer.deflate, buffered.subarray(head.headLength));
  };
  socket.on('data', onHead);
}

class ScriptConnection {
  private readonly queue: PlannedSend[] = [];
  private timer: NodeJS.Timeout | undefined;
  private closeSent = false;
  private closeReceived = false;
  private clientMessages = 0;
  private readonly outbox: Buffer[] = [];
  private flushScheduled = false;
  private ending: 'end' | 'destroy' | undefined;

  constructor(
    private readonly socket: Duplex,
    private readonly matcher: ScriptMatcher,
    private readonly deflater: Deflater | null,
    private readonly handlers: ScriptConnectionHandlers,
  ) {}

  start(deflate: ConstructorParameters<typeof StreamDecoder>[0]['deflate'], rest: Buffer): void {
    const decoder = new StreamDecoder({ from: 'client', deflate }, {
      onFrame: (frame) => {
        if (frame.opcode === Opcode.Ping && !this.closeSent) this.write(encodeFrameBytes({ opcode: Opcode.Pong, fin: true, payload: frame.payload }));
        else if (frame.opcode === Opcode.Close) this.onClose(frame.closeCode, frame.closeReason);
      },
      onMessage: (message) => this.onMessage(message),
    });
    this.socket.on('data', (chunk: Buffer) => decoder.push(chunk));
    this.socket.once('end', () => {
      decoder.end();
      this.finish('end');
    });
    this.socket.once('close', () => this.dispose());
    this.enqueue(this.matcher.open(Date.now()));
    if (rest.length > 0) decoder.push(rest);
  }

  private onMessage(message: Message): void {
    if (this.closeReceived) return;
    const index = this.clientMessages++;
    const outcome = this.matcher.receive({ opcode: message.opcode, data: message.data }, Date.now());
    if (outcome.match) this.handlers.onMatch?.(outcome.match, message, index);
    else this.handlers.onUnexpected?.(message, index);
    this.enqueue(outcome.planned);
  }

  /** The client's close: echoed with its code (RFC 6455 §5.5.1), then the mock ends its side. */
  private onClose(code: number | undefined, reason: string | undefined): void {
    if (this.closeReceived) return;
    this.closeReceived = true;
    this.queue.length = 0;
    if (!this.closeSent) {
      this.closeSent = true;
      this.write(encodeFrameBytes({ opcode: Opcode.Close, fin: true, payload: encodeClosePayload(code, code === undefined ? undefined : reason) }));
    }
    this.finish('end');
  }

  private enqueue(planned: PlannedSend[]): void {
    if (planned.length === 0 || this.closeSent) return;
    this.queue.push(...planned);
    this.pump();
  }

  /** Sends what is due, in order, and waits for the next. */
  private pump(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    while (this.queue.length > 0 && !this.closeSent) {
      const next = this.queue[0]!;
      const wait = next.due - Date.now();
      if (wait > 0) {
        this.timer = setTimeout(() => this.pump(), wait);
        return;
      }
      this.queue.shift();
      this.send(next);
    }
  }

  private send(planned: PlannedSend): void {
    if (planned.kind === 'close') {
      this.closeSent = true;
      this.queue.length = 0;
      // 1006 is no close frame at all: the recorded server dropped the connection.
      if (planned.code === 1006) {
        this.finish('destroy');
        return;
      }
      this.write(encodeFrameBytes({ opcode: Opcode.Close, fin: true, payload: planned.code === 1005 ? Buffer.alloc(0) : encodeClosePayload(planned.code, planned.reason) }));
      this.timer = setTimeout(() => this.socket.destroy(), CLOSE_WAIT);
      return;
    }
    const payload = this.deflater ? this.deflater.compress(planned.data) : planned.data;
    this.write(encodeFrameBytes({ opcode: planned.opcode, fin: true, rsv1: this.deflater !== null, payload }));
  }

  /**
   * Writes go out two turns of the event loop later, in order: the relay records what the client sent
   * once the bytes are on their way (setImmediate), and an answer written sooner would be recorded
   * before the message it answers.
   */
  private write(bytes: Buffer): void {
    this.outbox.push(bytes);
    this.scheduleFlush();
  }

  /** Ends (or, for a recorded 1006, drops) the connection once what is written went out. */
  private finish(how: 'end' | 'destroy'): void {
    this.ending ??= how;
    this.scheduleFlush();
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => setImmediate(() => {
      this.flushScheduled = false;
      if (!this.socket.destroyed && this.socket.writable) for (const bytes of this.outbox) this.socket.write(bytes);
      this.outbox.length = 0;
      if (this.ending === 'end') this.socket.end();
      else if (this.ending === 'destroy') this.socket.destroy();
    }));
  }

  private dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.queue.length = 0;
    this.deflater?.close();
  }
}
