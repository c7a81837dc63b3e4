/**
 * Reassembles length-prefixed remoting frames (PROTOCOL §1.2) from arbitrary stream chunks.
 *
 * Each returned frame starts at `headerInfo` (the 4-byte length prefix is stripped). A frame that
 * lies entirely inside one pushed chunk is returned as a `subarray` of that chunk (no copy), so the
 * caller must not reuse chunk buffers after pushing them. A frame spanning chunks is kept as copies
 * of the pieces received so far and joined once when complete: memory follows the bytes that
 * actually arrived, never a length a peer merely announced, and total work stays linear.
 *
 * Bytes held for an incomplete frame are taken from a ByteBudget shared by every connection; when
 * the budget refuses, push throws ProtocolError (as for `length + 4 > maxFrameLength` or
 * `length < 4`), and the decoder must not be used after that (the connection is to be closed;
 * call `dispose()` to give its bytes back).
 */
import { MAX_FRAME_LENGTH } from "./codes";
import { ByteBudget, unlimitedBudget } from "./byte-budget";
import { ProtocolError } from "./errors";

export class FrameDecoder {
  /** Partial length prefix. */
  private readonly lenBuf = new Uint8Array(4);
  private lenFilled = 0;
  /** Length of the frame being assembled across chunks (-1: none). */
  private targetLength = -1;
  /** Copies of its pieces received so far, and their total. */
  private pieces: Uint8Array[] = [];
  private piecesBytes = 0;

  constructor(
    private readonly maxFrameLength: number = MAX_FRAME_LENGTH,
    private readonly budget: ByteBudget = unlimitedBudget(),
  ) {}

  /** Bytes buffered toward the next frame (prefix and partial frame). */
  get pendingBytes(): number {
    return this.targetLength >= 0 ? 4 + this.piecesBytes : this.lenFilled;
  }

  /** Gives the bytes of an incomplete frame back to the budget; the decoder is done. */
  dispose(): void {
    this.budget.give(this.piecesBytes);
    this.pieces = [];
    this.piecesBytes = 0;
    this.targetLength = -1;
  }

  private checkLength(length: number): void {
    if (length < 4) throw new ProtocolError(`invalid frame length ${length}`);
    if (length + 4 > this.maxFrameLength) {
      throw new ProtocolError(`frame length ${length + 4} exceeds limit ${this.maxFrameLength}`);
    }
  }

  /** Keeps a copy of a piece of the frame being assembled, within the budget. */
  private hold(piece: Uint8Array): void {
    if (!this.budget.tryTake(piece.length)) {
      throw new ProtocolError(
        `incomplete frames of all connections hold ${this.budget.used} bytes, the limit is ${this.budget.limit}`,
      );
    }
    this.pieces.push(piece.slice());
    this.piecesBytes += piece.length;
  }

  private completeFrame(): Uint8Array {
    const frame = this.pieces.length === 1 ? this.pieces[0] : new Uint8Array(this.targetLength);
    if (this.pieces.length > 1) {
      let offset = 0;
      for (const piece of this.pieces) {
        frame.set(piece, offset);
        offset += piece.length;
      }
    }
    this.budget.give(this.piecesBytes);
    this.pieces = [];
    this.piecesBytes = 0;
    this.targetLength = -1;
    return frame;
  }

  push(chunk: Uint8Array): Uint8Array[] {
    const frames: Uint8Array[] = [];
    const n = chunk.length;
    let pos = 0;
    while (pos < n) {
      if (this.targetLength >= 0) {
        const take = Math.min(this.targetLength - this.piecesBytes, n - pos);
        this.hold(chunk.subarray(pos, pos + take));
        pos += take;
        if (this.piecesBytes === this.targetLength) frames.push(this.completeFrame());
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
        this.targetLength = length;
      }
    }
    return frames;
  }
}
