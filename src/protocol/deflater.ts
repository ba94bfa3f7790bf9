// The compressor of one direction, for messages the proxy itself sends on a permessage-deflate connection
// (injected ones, and every message once a direction is re-encoded): RFC 7692 §7.2.1 with the window bits
// and context takeover negotiated for the sender it stands in for.
import zlib from 'node:zlib';
import type { DirectionDeflate } from './permessage-deflate.js';
import { DEFLATE_TAIL } from './inflater.js';
import { SyncZlibStream } from './sync-zlib-stream.js';

export interface DeflaterOptions extends DirectionDeflate {
  /** zlib compression level, 0-9. Default: zlib's default (6). */
  level?: number;
}

export class Deflater {
  private readonly zlib: SyncZlibStream;
  private readonly noContextTakeover: boolean;

  constructor(options: DeflaterOptions) {
    this.noContextTakeover = options.noContextTakeover;
    // zlib has no 8-bit raw window: Node turns 8 into 9 for raw deflate, as ws relies on.
    const windowBits = Math.max(9, options.windowBits);
    this.zlib = new SyncZlibStream(() => zlib.createDeflateRaw({ windowBits, level: options.level ?? zlib.constants.Z_DEFAULT_COMPRESSION }));
  }

  /**
   * Compresses the next part of a message: the whole message, or one frame's worth when `fin` is false.
   * Each part ends on a sync flush; the last one (fin) has the 00 00 ff ff tail removed (RFC 7692 §7.2.1)
   * and, without context takeover, leaves the compressor with an empty history for the next message.
   */
  compress(data: Uint8Array, fin = true): Buffer {
    const pieces: Buffer[] = [];
    this.zlib.write(data, (piece) => {
      pieces.push(Buffer.from(piece));
      return true;
    });
    let out = Buffer.concat(pieces);
    if (fin) {
      if (out.subarray(-4).equals(DEFLATE_TAIL)) out = out.subarray(0, out.length - 4);
      if (this.noContextTakeover) this.zlib.reset();
    }
    return out;
  }

  /** Releases zlib's memory. */
  close(): void {
    this.zlib.close();
  }
}
