/**
 * The authorization middleware: the call's class (request-classes.ts) and the names it acts on
 * (call-resources.ts) against the principal's policy. Runs after authentication; an anonymous call
 * that got this far came from a whitelisted address, and the whitelist covers both.
 */
import type { Middleware } from "../port/middleware";
import { AccessDenied } from "./access-denied";
import { isOwnCall, type CredentialDirectory } from "./authentication";
import { resourcesOf } from "./call-resources";
import { EMPTY_POLICY, policyRefusal } from "./policy";
import { CLASS_OF_OPERATION } from "./request-classes";

export function authorization(directory: CredentialDirectory): Middleware {
  return async function authorize(call, next) {
    if (call.principal !== null && !isOwnCall(call)) {
      const account = await directory.account(call.principal);
      const policy = account?.policy ?? EMPTY_POLICY;
      const refusal = policyRefusal(policy, CLASS_OF_OPERATION[call.operation as keyof typeof CLASS_OF_OPERATION], resourcesOf(call.operation as never, call.input));
      if (refusal !== null) throw new AccessDenied("authorization", `account ${call.principal} is not authorized for ${call.operation}: ${refusal}`);
    }
    return next();
  };
}
