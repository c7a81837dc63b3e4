/**
 * What a caller presents to prove who it is, as the transport found it. Checking it is the
 * authentication middleware's job (authentication.ts), the same for every transport.
 */

/** RocketMQ's request signature (remoting): checked over the extFields as received and the body. */
export interface SignatureCredentials {
  kind: "signature";
  accessKey: string;
  signature: string | null;
  /** every extField of the request as received (with AccessKey, SecurityToken and Signature) */
  extFields: Record<string, string>;
  body: Uint8Array | null;
}

/** `Authorization: Bearer <token>` (HTTP): a token issued to an account. */
export interface BearerCredentials {
  kind: "bearer";
  token: string;
}

/** `Authorization: Basic` (HTTP): an account's access key and secret key. */
export interface BasicCredentials {
  kind: "basic";
  accessKey: string;
  secretKey: string;
}

/** A client certificate verified against the trusted CA (mTLS): its subject CN names the account. */
export interface CertificateCredentials {
  kind: "certificate";
  subject: string;
}

/**
 * A tcp-bridge in front of this deployment acting for its client: the bridge proves itself with
 * its token; it already checked the client's own credentials and names the result.
 */
export interface RelayedCredentials {
  kind: "relayed";
  relayToken: string;
  /** the account the bridge verified; null: the client presented none */
  principal: string | null;
  /** why the bridge could not verify the client's credentials; null when it could (or there were none) */
  failure: string | null;
  /** the client's address as the bridge saw it */
  peer: string | null;
}

export type Credentials = SignatureCredentials | BearerCredentials | BasicCredentials | CertificateCredentials | RelayedCredentials;
