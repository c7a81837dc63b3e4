/**
 * Error classes shared by the codecs.
 *
 * - `ProtocolError`: a frame or header that cannot be decoded. The remoting server logs it and
 *   closes the connection without answering (PROTOCOL §1.1, §1.2).
 * - `BodyDecodeError`: a request body that cannot be decoded. Its message is meant to be used as
 *   the remark of a SYSTEM_ERROR response.
 * - `JsonSyntaxError`: raised by the fastjson-compatible reader; callers translate it into one of
 *   the two above depending on where the JSON came from.
 */

export class ProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ProtocolError";
  }
}

export class BodyDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BodyDecodeError";
  }
}

export class JsonSyntaxError extends Error {
  /** Offset (in UTF-16 code units) where parsing failed. */
  readonly position: number;
  constructor(message: string, position: number) {
    super(`${message} at position ${position}`);
    this.name = "JsonSyntaxError";
    this.position = position;
  }
}
