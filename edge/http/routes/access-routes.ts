import { Hono } from "hono";
import { z } from "zod";
import { policySchema } from "../../auth/policy";
import { validate } from "../../port/namesrv-error";
import { httpCall } from "../http-call";
import { readJson } from "../http-helpers";
import { accountName, auditLimit, expiresInSeconds } from "../port-input-schemas";
import type { RouteContext } from "./route-context";

const createAccountSchema = z.strictObject({ name: accountName, secretKey: z.string().max(256).optional() });
const issueTokenSchema = z.strictObject({ expiresInSeconds: expiresInSeconds.optional() });

/**
 * Access control (README "Security"): accounts, their policies and tokens (class admin-write to
 * change, admin-read to list), and the audit trail. No answer carries a secret key, except the one
 * the server generated for a new account, once; a token is shown once, when issued.
 */
export function accessRoutes({ port, limits, peerOf }: RouteContext): Hono {
  const app = new Hono();

  app.post("/accounts", async function createAccount(c) {
    const { name, secretKey } = await readJson(c, limits, createAccountSchema);
    return c.json(await port.createAccount({ name, secretKey: secretKey ?? null }, httpCall(c, peerOf)), 201);
  });

  app.get("/accounts", async function listAccounts(c) {
    return c.json({ accounts: await port.listAccounts({}, httpCall(c, peerOf)) });
  });

  app.get("/accounts/:name", async function getAccount(c) {
    return c.json(await port.getAccount({ name: c.req.param("name") }, httpCall(c, peerOf)));
  });

  app.delete("/accounts/:name", async function deleteAccount(c) {
    await port.deleteAccount({ name: c.req.param("name") }, httpCall(c, peerOf));
    return c.json({ deleted: true });
  });

  app.get("/accounts/:name/policy", async function getPolicy(c) {
    const account = await port.getAccount({ name: c.req.param("name") }, httpCall(c, peerOf));
    return c.json(account.policy ?? { classes: [] });
  });

  app.put("/accounts/:name/policy", async function putPolicy(c) {
    const policy = await readJson(c, limits, policySchema);
    await port.putPolicy({ name: c.req.param("name"), policy }, httpCall(c, peerOf));
    return c.json({ stored: true });
  });

  app.post("/accounts/:name/tokens", async function issueToken(c) {
    const { expiresInSeconds: ttl } = await readJson(c, limits, issueTokenSchema, undefined, {});
    return c.json(await port.issueToken({ name: c.req.param("name"), expiresInSeconds: ttl ?? null }, httpCall(c, peerOf)), 201);
  });

  app.get("/accounts/:name/tokens", async function listTokens(c) {
    return c.json({ tokens: await port.listTokens({ name: c.req.param("name") }, httpCall(c, peerOf)) });
  });

  app.delete("/accounts/:name/tokens/:id", async function revokeToken(c) {
    await port.revokeToken({ name: c.req.param("name"), id: c.req.param("id") }, httpCall(c, peerOf));
    return c.json({ revoked: true });
  });

  app.get("/audit", async function readAudit(c) {
    const limit = validate(auditLimit, Number(c.req.query("limit") ?? 100), "limit");
    return c.json({ records: await port.readAudit({ limit }, httpCall(c, peerOf)) });
  });

  return app;
}
