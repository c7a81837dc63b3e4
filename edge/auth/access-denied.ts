import { ResponseCode } from "../../shared/codes";
import { NamesrvError } from "../port/namesrv-error";

/**
 * A call refused by authentication (HTTP 401) or authorization (403): NO_PERMISSION (16) with the
 * reason as remark on the wire. Audit records of denials are told apart by this class.
 */
export class AccessDenied extends NamesrvError {
  constructor(
    readonly stage: "authentication" | "authorization",
    reason: string,
  ) {
    super(ResponseCode.NO_PERMISSION, reason, stage === "authentication" ? 401 : 403);
    this.name = "AccessDenied";
  }
}
