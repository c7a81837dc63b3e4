/**
 * The web console and the API reference page on the Worker: its assets come from modules (the
 * console's) and from wrangler's Text rule (Swagger UI's), since a Worker has no file system.
 */
import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../edge/runtime/worker";

async function call(path: string): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await worker.fetch(new Request(`http://namesrv.test${path}`), env, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

describe("console on the Worker", () => {
  it("serves the console page and its script", async () => {
    const page = await call("/");
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('src="/console/console.js"');
    const script = await call("/console/console.js");
    expect(script.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(await script.text()).toContain("/api/v1");
  });

  it("serves Swagger UI's files bundled from swagger-ui-dist", async () => {
    expect((await call("/api-docs")).status).toBe(200);
    const bundle = await call("/api-docs/swagger-ui-bundle.js");
    expect(bundle.status).toBe(200);
    const text = await bundle.text();
    expect(text.length).toBeGreaterThan(100_000);
    expect(text).toContain("SwaggerUIBundle");
    expect(await (await call("/api-docs/swagger-ui.css")).text()).toContain(".swagger-ui");
  });
});
