/**
 * The server side of TLS over an accepted Bun socket whose first bytes showed a ClientHello: node's
 * TLSSocket runs over a Duplex that carries the ciphertext to and from the Bun socket. So one
 * listener serves plain and TLS connections (Bun.listen's own TLS is all or nothing per listener),
 * and plain connections pay nothing for it.
 *
 * Back-pressure holds end to end: ciphertext Bun did not take waits (with the TLS socket's write
 * callback) for Bun's drain, and plaintext writes are refused (0 bytes taken) while the TLS socket
 * is above its high-water mark, so the remoting connection queues, counts and pauses as it does
 * for a plain socket.
 */
import { Duplex } from "node:stream";
import { TLSSocket, type SecureContext } from "node:tls";
import type { ByteSink } from "../transport";
import type { ClientAuth, TlsMode } from "./tls-config";

/** The part of a Bun socket the session writes ciphertext to. */
export interface CipherSocket {
  write(data: Uint8Array): number;
  end(): void;
}

export interface TlsSessionOptions {
  secureContext: SecureContext;
  needClientAuth: ClientAuth;
  /** Client certificates are verified against the context's CA (else any is accepted, as Java's InsecureTrustManager). */
  authClient: boolean;
}

export interface TlsSessionEvents {
  /** Decrypted bytes of the remoting stream. */
  data(chunk: Uint8Array): void;
  drain(): void;
  /** The handshake completed; `verifiedSubject` is the CN of a client certificate the trust CA verified. */
  secure(verifiedSubject: string | null): void;
  /** The session failed (handshake refused, bad record): the socket is being closed. */
  failed(reason: string): void;
}

export class TlsSession implements ByteSink {
  private readonly tls: TLSSocket;
  private readonly cipher: Duplex;
  /** Ciphertext Bun did not take yet, and the callback that releases the TLS socket's next write. */
  private unsent: Uint8Array | null = null;
  private unsentDone: ((error?: Error | null) => void) | null = null;
  private closed = false;

  constructor(private readonly socket: CipherSocket, options: TlsSessionOptions, private readonly events: TlsSessionEvents) {
    this.cipher = new Duplex({
      read() {},
      write: (chunk: Uint8Array, _encoding, done) => this.writeCipher(chunk, done),
      final: (done) => {
        socket.end();
        done();
      },
    });
    const requestCert = options.needClientAuth !== "none";
    this.tls = new TLSSocket(this.cipher as never, {
      isServer: true,
      secureContext: options.secureContext,
      requestCert,
      rejectUnauthorized: requestCert && options.authClient && options.needClientAuth === "require",
    });
    this.tls.on("secure", () => {
      const peer = requestCert ? this.tls.getPeerCertificate() : null;
      const hasCertificate = peer !== null && Object.keys(peer).length > 0;
      if (options.needClientAuth === "require" && !hasCertificate) return this.fail("client sent no certificate (tls.server.need.client.auth=require)");
      const verified = options.authClient && hasCertificate && this.tls.authorized;
      const cn = verified ? peer!.subject?.CN : undefined;
      events.secure(verified ? (Array.isArray(cn) ? cn[0] : cn) ?? null : null);
    });
    this.tls.on("data", (chunk: Buffer) => events.data(chunk));
    this.tls.on("drain", () => events.drain());
    this.tls.on("error", (err) => this.fail(err.message));
  }

  /** Ciphertext from the Bun socket; copied, as Bun may reuse its buffer after the callback. */
  receive(chunk: Uint8Array): void {
    if (!this.closed) this.cipher.push(Buffer.from(chunk));
  }

  /** Bun's drain: the rest of the ciphertext goes out. */
  socketDrained(): void {
    if (this.unsent === null) return;
    const pending = this.unsent;
    this.unsent = null;
    this.writeCipher(pending, this.unsentDone!);
  }

  socketClosed(): void {
    if (this.closed) return;
    this.closed = true;
    this.cipher.push(null);
    this.tls.destroy();
    this.unsentDone?.(null);
  }

  write(data: Uint8Array): number {
    if (this.closed || this.tls.destroyed) return -1;
    if (this.tls.writableNeedDrain) return 0;
    this.tls.write(data);
    return data.length;
  }

  end(): void {
    if (this.closed) return;
    this.tls.end();
  }

  pause(): void {
    this.tls.pause();
  }

  resume(): void {
    this.tls.resume();
  }

  private writeCipher(chunk: Uint8Array, done: (error?: Error | null) => void): void {
    const written = this.socket.write(chunk);
    if (written < 0) return done(null); // closed: the close handler tears the session down
    if (written < chunk.length) {
      this.unsent = chunk.subarray(written);
      this.unsentDone = done;
      return;
    }
    this.unsentDone = null;
    done(null);
  }

  private fail(reason: string): void {
    if (this.closed) return;
    this.events.failed(reason);
    this.socket.end();
  }
}

/** A listener's TLS: the mode, client authentication, and the context new sessions take (null: TLS off). */
export interface ListenerTls {
  mode: TlsMode;
  needClientAuth: ClientAuth;
  authClient: boolean;
  secureContext(): SecureContext | null;
}
