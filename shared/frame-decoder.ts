/**
 * Reassembles length-prefixed remoting frames (PROTOCOL §1.2) from arbitrary stream chunks.
 *
 * Each returned frame starts at `headerInfo` (the 4-byte length prefix is stripped). A frame that
 * lies entirely inside one pushed chunk is returned as a `subarray` of that chunk (no copy), so the
 * caller must not reuse chunk buffers after pushing them. Frames spanning chunks are copied once into
 * a buffer allocated when the length is known, so total work is linear in the bytes pushed.
 *
 * Throws ProtocolError when `length + 4 > maxFrameLength` or `length < 4`; the decoder must not be
 * used after that (the connection is to be closed).
 */
import { MAX_FRAME_LENGTH } from "./codes";
import { ProtocolError } from "./errors";

export class FrameDecoder {
  private readonly maxFrameLength: number;
  /** Partial length prefix. */
  private readonly lenBuf = new Uint8Array(4);
  private lenFilled = 0;
  /** Frame being assembled across chunks. */
  private target: Uint8Array | null = null;
  private targetFilled = 0;

  constructor(maxFrameLength: number = MAX_FRAME_LENGTH) {
    this.maxFrameLength = maxFrameLength;
  }

  /** Bytes buffered toward the next frame (prefix and partial frame). */
  get pendingBytes(): number {
    return this.target ? 4 + this.targetFilled : this.lenFilled;
  }

  private checkLength(length: number): void {
    if (length < 4) throw new ProtocolError(`invalid frame length ${length}`);
    if (length + 4 > this.maxFrameLength) {
      throw new ProtocolError(`frame length ${length + 4} exceeds limit ${this.maxFrameLength}`);
    }
  }

  push(chunk: Uint8Array): Uint8Array[] {
    const frames: Uint8Array[] = [];
    const n = chunk.length;
    let pos = 0;
    while (pos < n) {
      if (this.target !== null) {
        const need = this.target.length - this.targetFilled;
        const take = Math.min(need, n - pos);
        this.target.set(chunk.subarray(pos, pos + take), this.targetFilled);
        this.targetFilled += take;
        pos += take;
        if (this.targetFilled === this.target.length) {
          frames.push(this.target);
          this.target = null;
          this.targetFilled = 0;
        }
        continue;
      }
      let length: number;
      if (this.lenFilled === 0 && n - pos >= 4) {
        length = ((chunk[pos] << 24) | (chunk[pos + 1] << 16) | (chunk[pos + 2] << 8) | chunk[pos + 3]) | 0;
        pos += 4;
      } else {
        while (this.lenFilled < 4 && pos < n) this.lenBuf[this.lenFilled++] = chunk[pos++];
        if (this.lenFilled < 4) break;
        const b = this.lenBuf;
        length = ((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) | 0;
        this.lenFilled = 0;
      }
      this.checkLength(length);
      if (n - pos >= length) {
        frames.push(chunk.subarray(pos, pos + length));
        pos += length;
      } else {
        this.target = new Uint8Array(length);
        this.targetFilled = 0;
      }
    }
    return frames;
  }
}
