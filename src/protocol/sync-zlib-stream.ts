// A raw DEFLATE stream (RFC 1951) driven synchronously, for the sans-IO codec. permessage-deflate
// (RFC 7692 §7.2) needs one zlib stream per direction that keeps its LZ77 history from one message to the
// next (context takeover), fed a slice at a time; Node offers that only as an asynchronous Transform.
import zlib from 'node:zlib';

/**
 * The internals of a Node zlib stream that the synchronous path uses. Why internals: Node's public *Sync
 * functions start a new stream per call, and `_processChunk(chunk, flush)` without a callback (what they
 * call) closes the handle when it returns (Node 20, lib/zlib.js processChunkSync), losing the history.
 * `_handle.writeSync` is the step processChunkSync repeats: it runs zlib once over the given buffers and
 * leaves [availOutAfter, availInAfter] in `_writeState`. An error calls the stream's handler during the
 * call, which destroys the stream (and emits 'error' later). Declared here only, in one place.
 */
interface ZlibInternals {
  _handle: {
    writeSync(flush: number, input: Uint8Array, inOff: number, inLen: number, out: Uint8Array, outOff: number, outLen: number): void;
  } | null;
  _writeState: Uint32Array;
}

/** How one write() ended. */
export type ZlibWriteStatus =
  /** All input was consumed and all output delivered. */
  | 'ok'
  /** onOutput asked to stop; input and output may be left over. */
  | 'stopped'
  /** zlib reported an error (corrupt data); the stream is unusable until reset(). */
  | 'error'
  /** The DEFLATE stream ended (a block with BFINAL set); the rest of the input was not consumed. */
  | 'stream-end';

export interface ZlibWriteResult {
  /** What ended the write. */
  status: ZlibWriteStatus;
  /** Input bytes consumed. */
  consumed: number;
}

/** Input fed to zlib per call, so that one call's output stays small even for a highly compressed slice. */
const INPUT_SLICE = 16 * 1024;
/** The output buffer, reused across calls: pieces handed to onOutput are views into it. */
const OUTPUT_CHUNK = 64 * 1024;

export class SyncZlibStream {
  private stream: zlib.InflateRaw | zlib.DeflateRaw;
  private readonly output = Buffer.allocUnsafe(OUTPUT_CHUNK);

  /** `create` makes a fresh raw inflate or deflate stream with the negotiated options. */
  constructor(private readonly create: () => zlib.InflateRaw | zlib.DeflateRaw) {
    this.stream = this.open();
  }

  /**
   * Runs `input` through zlib with Z_SYNC_FLUSH, so all output available so far comes out. Each output
   * piece goes to onOutput, valid only during the call; onOutput returns false to stop early.
   */
  write(input: Uint8Array, onOutput: (piece: Buffer) => boolean): ZlibWriteResult {
    const internals = this.stream as unknown as ZlibInternals;
    const handle = internals._handle;
    if (!handle) return { status: 'error', consumed: 0 };
    const state = internals._writeState;
    let consumed = 0;
    // An empty input still runs once: a deflater flushes, an inflater emits what it holds.
    do {
      const sliceEnd = Math.min(input.length, consumed + INPUT_SLICE);
      let availIn = sliceEnd - consumed;
      let availOut: number;
      do {
        handle.writeSync(zlib.constants.Z_SYNC_FLUSH, input, consumed, availIn, this.output, 0, OUTPUT_CHUNK);
        if (this.stream.destroyed) return { status: 'error', consumed };
        availOut = state[0]!;
        consumed += availIn - state[1]!;
        availIn = state[1]!;
        const produced = OUTPUT_CHUNK - availOut;
        if (produced > 0 && !onOutput(this.output.subarray(0, produced))) return { status: 'stopped', consumed };
        // Room left in the output yet input left over: zlib stops consuming only at the end of the stream.
        if (availOut > 0 && availIn > 0) return { status: 'stream-end', consumed };
      } while (availOut === 0);
    } while (consumed < input.length);
    return { status: 'ok', consumed };
  }

  /** Starts over with no history: zlib's reset when the stream is healthy, a new stream after an error. */
  reset(): void {
    if (this.stream.destroyed) this.stream = this.open();
    else this.stream.reset();
  }

  /** Releases zlib's memory. */
  close(): void {
    this.stream.close();
  }

  private open(): zlib.InflateRaw | zlib.DeflateRaw {
    const stream = this.create();
    // A zlib error destroys the stream, which then emits 'error' on a later tick; write() has already
    // reported it, and an unhandled 'error' event would crash the process.
    stream.on('error', () => {});
    return stream;
  }
}
