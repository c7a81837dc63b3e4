/**
 * The Worker that decodes large REGISTER_BROKER bodies off the event loop (started by
 * register-body-worker-client.ts): decodes each posted body under its limits and answers with the
 * packed body or the remark of the failure.
 */
import { BodyDecodeError } from "../shared/errors";
import { REGISTER_BODY_ERROR_PREFIX } from "../shared/register-body";
import { decodeRegisterBodyJob } from "./register-body-job";
import { packRegisterBody } from "./register-body-packing";
import type { RegisterBodyReply, RegisterBodyRequest } from "./register-body-worker-client";

declare const self: Worker;

self.onmessage = (event: MessageEvent<RegisterBodyRequest>) => {
  const { id, job } = event.data;
  let reply: RegisterBodyReply;
  let transfer: ArrayBuffer[] = [];
  try {
    const packing = packRegisterBody(decodeRegisterBodyJob(job));
    reply = { id, ok: true, packed: packing.packed };
    transfer = packing.transfer;
  } catch (err) {
    const remark = err instanceof BodyDecodeError ? err.message : `${REGISTER_BODY_ERROR_PREFIX}: ${String(err)}`;
    reply = { id, ok: false, remark };
  }
  self.postMessage(reply, transfer);
};
