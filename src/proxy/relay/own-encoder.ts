// The proxy's own frames for one direction: what it injects, resends or sends in place of an edited
// message, and (once the direction is re-encoded) the messages it compresses again. On a compressed
// direction whose receiver keeps its inflate context, the first change switches the direction to
// re-encoding (DESIGN.md): the proxy's compressor then holds exactly the history the receiver has seen.
import { randomBytes } from 'node:crypto';
import { FrameParser } from '../../protocol/frame-parser.js';
import { encodeFrameBytes } from '../../protocol/frame-encoder.js';
import { Deflater } from '../../protocol/deflater.js';
import { deflateForSender, type DeflateParams } from '../../protocol/permessage-deflate.js';
import { Opcode, type Frame, type Sender } from '../../protocol/frame.js';

export class OwnEncoder {
  /** The proxy's compressor (re-encoding, or injections without context takeover). */
  private deflater: Deflater | null = null;
  private reencoding = false;
  /** Frames the proxy made get negative indexes, -1 first, so they never collide with the sender's. */
  private ownCount = 0;

  /** Told when re-encoding starts (the lane then gathers whole compressed messages). */
  onReencodingStart: () => void = () => {};

  constructor(
    private readonly sender: Sender,
    private readonly deflate: DeflateParams | null,
  ) {}

  get isReencoding(): boolean {
    return this.reencoding;
  }

  /** One frame: masked with a fresh key toward the server; data compressed on a permessage-deflate connection. */
  encode(opcode: number, data: Buffer): Buffer {
    let payload = data;
    let rsv1 = false;
    if ((opcode === Opcode.Text || opcode === Opcode.Binary) && this.deflate) {
      this.startReencoding();
      this.deflater ??= new Deflater(deflateForSender(this.deflate, this.sender));
      payload = this.deflater.compress(data);
      rsv1 = true;
    }
    return encodeFrameBytes({ opcode, fin: true, rsv1, mask: this.sender === 'client' ? randomBytes(4) : false, payload });
  }

  /**
   * From now on compressed messages are re-compressed by the proxy. Needed only where the receiver
   * keeps its inflate context; without it every message stands alone.
   */
  startReencoding(): void {
    if (this.reencoding || !this.deflate) return;
    if (deflateForSender(this.deflate, this.sender).noContextTakeover) return;
    this.reencoding = true;
    this.onReencodingStart();
  }

  /** Decodes frames the proxy itself made, to record them exactly as sent, each with its own index. */
  parseOwn(bytes: Buffer): Frame[] {
    const frames: Frame[] = [];
    const parser = new FrameParser(
      { from: this.sender, rsv1Allowed: Boolean(this.deflate), maxStoredPayload: Infinity },
      { onHeader() {}, onPayload() {}, onFrame: (f) => frames.push(f) },
    );
    parser.push(bytes);
    const cut = parser.end();
    if (cut) frames.push(cut);
    for (const frame of frames) frame.index = -(++this.ownCount);
    return frames;
  }

  dispose(): void {
    this.deflater?.close();
    this.deflater = null;
  }
}
