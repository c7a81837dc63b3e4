/**
 * What the server makes of the bytes a fuzz connection sends, predicted with the server's own
 * codecs: which requests it reads, which of them it must answer, whether it must close the
 * connection, and whether it is left waiting for the rest of a frame.
 *
 * The prediction is exact for framing: the frame decoder's output does not depend on how the
 * stream is cut (the suite's frame-decoder fuzz test proves it). Where the server closes, requests
 * read before the offending frame may or may not run, depending on how its reads cut the stream;
 * the caller treats them as "maybe run".
 */
import { FrameDecoder } from "../../shared/frame-decoder";
import { decodeCommand, isOneway, isResponse, type RemotingCommand } from "../../shared/remoting-command";

export interface PredictedOutcome {
  /** requests the server reads from these bytes (maybe not all run when `closes`) */
  requests: RemotingCommand[];
  /** those of `requests` it must answer */
  answered: RemotingCommand[];
  /** the bytes break the protocol: the server must close the connection (without an answer to the culprit) */
  closes: string | null;
  /** bytes of an incomplete frame the server holds after these */
  pendingBytes: number;
}

export class ConnectionModel {
  private readonly decoder: FrameDecoder;
  /** the bytes since the last frame boundary (what the decoder holds toward the next frame) */
  private carry: Uint8Array = new Uint8Array(0);
  private closed = false;

  constructor(private readonly maxFrameLength?: number) {
    this.decoder = new FrameDecoder(maxFrameLength);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** The outcome of sending `bytes` after everything sent before on this connection. */
  push(bytes: Uint8Array): PredictedOutcome {
    const outcome: PredictedOutcome = { requests: [], answered: [], closes: null, pendingBytes: 0 };
    if (this.closed) return { ...outcome, closes: "already closed" };
    let frames: Uint8Array[];
    try {
      frames = this.decoder.push(bytes);
      this.keepCarry(bytes);
    } catch (err) {
      // The server may have read the frames before the bad length in an earlier chunk.
      frames = this.framesBeforeBadLength(bytes);
      this.closed = true;
      outcome.closes = String(err);
    }
    for (const frame of frames) {
      let command: RemotingCommand;
      try {
        command = decodeCommand(frame);
      } catch (err) {
        this.closed = true;
        outcome.closes = String(err);
        break;
      }
      if (command.body) command.body = command.body.slice();
      if (isResponse(command)) continue;
      outcome.requests.push(command);
      if (!isOneway(command)) outcome.answered.push(command);
    }
    outcome.pendingBytes = this.closed ? 0 : this.decoder.pendingBytes;
    return outcome;
  }

  private keepCarry(bytes: Uint8Array): void {
    const pending = this.decoder.pendingBytes;
    if (pending === 0) this.carry = new Uint8Array(0);
    else if (pending <= bytes.length) this.carry = bytes.slice(bytes.length - pending);
    else {
      const carry = new Uint8Array(pending);
      carry.set(this.carry.subarray(this.carry.length - (pending - bytes.length)));
      carry.set(bytes, pending - bytes.length);
      this.carry = carry;
    }
  }

  /** Replays the carried and the new bytes one length prefix at a time, keeping the frames before the bad one. */
  private framesBeforeBadLength(bytes: Uint8Array): Uint8Array[] {
    const stream = new Uint8Array(this.carry.length + bytes.length);
    stream.set(this.carry);
    stream.set(bytes, this.carry.length);
    const frames: Uint8Array[] = [];
    const replay = new FrameDecoder(this.maxFrameLength);
    let at = 0;
    while (at + 4 <= stream.length) {
      try {
        frames.push(...replay.push(stream.subarray(at, at + 4)));
      } catch {
        break;
      }
      const length = new DataView(stream.buffer, stream.byteOffset + at, 4).getInt32(0);
      const end = Math.min(stream.length, at + 4 + length);
      frames.push(...replay.push(stream.subarray(at + 4, end)));
      at = end;
    }
    return frames;
  }
}
