/**
 * The transport a remoting connection runs over: the part of a socket it needs. Bun's TCP socket
 * is one (bun-tcp-server.ts); tests and the fuzzer write into byte sinks of their own.
 */
export interface ByteSink {
  /** Returns the number of bytes taken (possibly fewer than given; negative when closed). */
  write(data: Uint8Array): number;
  end(): void;
  /** Stops reading from the peer (its sends then wait in the kernel, and then at the peer). */
  pause?(): void;
  resume?(): void;
}
