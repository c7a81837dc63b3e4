/**
 * A certificate for Redis processes on 127.0.0.1 that speak TLS: one self-signed certificate,
 * which is also the only CA they and the client trust. Written to a temporary folder for the file;
 * removed after it.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";
import { selfSignedCertificate } from "../../tcp-bridge/tls/self-signed-certificate";

export interface RedisTlsFiles {
  certFile: string;
  keyFile: string;
  /** writes a fresh certificate and key to the two files */
  write(): void;
}

export function useRedisTlsFiles(): RedisTlsFiles {
  const dir = mkdtempSync(join(tmpdir(), "rmq-redis-tls-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const certFile = join(dir, "redis.crt");
  const keyFile = join(dir, "redis.key");
  return {
    certFile,
    keyFile,
    write() {
      const { certPem, keyPem } = selfSignedCertificate({ commonName: "127.0.0.1" });
      writeFileSync(certFile, certPem);
      writeFileSync(keyFile, keyPem);
    },
  };
}
