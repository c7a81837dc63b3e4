import { describe, expect, it } from "vitest";
import { defaultNamesrvConfig, type NamesrvConfig } from "../../edge/config/namesrv-config";
import { createApp } from "../../edge/http/app";
import { CONSOLE_JS } from "../../edge/http/console/console-script";
import { createNamesrv } from "../../edge/namesrv";
import { EmbeddedStore } from "../../edge/store/embedded-store";
import { silentLogger } from "../../shared/logger";
import { readApiReferenceFiles } from "../../tcp-bridge/api-reference-files";
import type { ApiReferenceSource } from "../../edge/http/console/api-reference-routes";

function makeApp(overrides: Partial<NamesrvConfig> = {}, apiReference?: ApiReferenceSource) {
  const config = { ...defaultNamesrvConfig("/tmp/namesrv-home"), ...overrides };
  const { services, port } = createNamesrv(new EmbeddedStore({ kvConfigPath: null }), config, { log: silentLogger });
  return createApp(port, { config: services.config, log: silentLogger, apiReference });
}

describe("web console assets", () => {
  it("serves the page at / with a policy that allows only this server's own scripts and calls", async () => {
    const res = await makeApp().request("/");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    const csp = res.headers.get("content-security-policy")!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    const html = await res.text();
    expect(html).toContain('<script type="module" src="/console/console.js"></script>');
    expect(html).toContain('href="/console/console.css"');
    expect(html).not.toMatch(/https?:\/\//); // nothing from a CDN
  });

  it("serves the script and the stylesheet with their types, the script parsing as JavaScript", async () => {
    const app = makeApp();
    const js = await app.request("/console/console.js");
    expect(js.status).toBe(200);
    expect(js.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    const source = await js.text();
    expect(source).toBe(CONSOLE_JS);
    expect(() => new Function(source)).not.toThrow();
    expect(source).not.toMatch(/https?:\/\//);
    expect(source).toContain('"/api/v1" + path');
    const css = await app.request("/console/console.css");
    expect(css.status).toBe(200);
    expect(css.headers.get("content-type")).toBe("text/css; charset=utf-8");
    expect(await css.text()).toContain("table");
    expect((await app.request("/console/")).headers.get("location")).toBe("/");
  });

  it("serves the console without credentials while the API behind it asks for them", async () => {
    const app = makeApp({ authenticationEnabled: true });
    expect((await app.request("/")).status).toBe(200);
    expect((await app.request("/console/console.js")).status).toBe(200);
    expect((await app.request("/api/v1/clusters")).status).toBe(401);
  });

  it("leaves other paths to the API's JSON 404", async () => {
    const res = await makeApp().request("/console/nope.js");
    expect(res.status).toBe(404);
    expect((await res.json()).error.name).toBe("REQUEST_CODE_NOT_SUPPORTED");
  });
});

describe("API reference page", () => {
  it("serves Swagger UI from the files the runtime gives, loading them once", async () => {
    let loads = 0;
    const app = makeApp({}, async () => {
      loads++;
      return { script: "window.SwaggerUIBundle = function () {};", stylesheet: ".swagger-ui {}" };
    });
    const page = await app.request("/api-docs");
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<script src="/api-docs/swagger-ui-bundle.js"></script>');
    expect(html).toContain('<script src="/api-docs/api-docs.js"></script>');
    expect(html).not.toMatch(/https?:\/\//);
    const init = await (await app.request("/api-docs/api-docs.js")).text();
    expect(init).toContain('url: "/openapi.json"');
    expect(init).toContain("validatorUrl: null"); // no call to an outside validator
    expect(await (await app.request("/api-docs/swagger-ui-bundle.js")).text()).toBe("window.SwaggerUIBundle = function () {};");
    const css = await app.request("/api-docs/swagger-ui.css");
    expect(css.headers.get("content-type")).toBe("text/css; charset=utf-8");
    expect(await css.text()).toBe(".swagger-ui {}");
    await app.request("/api-docs/swagger-ui-bundle.js");
    expect(loads).toBe(1);
  });

  it("tries a failed load again with the next request", async () => {
    let loads = 0;
    const app = makeApp({}, async () => {
      if (loads++ === 0) throw new Error("not yet");
      return { script: "ok", stylesheet: "" };
    });
    expect((await app.request("/api-docs/swagger-ui-bundle.js")).status).toBe(500);
    expect(await (await app.request("/api-docs/swagger-ui-bundle.js")).text()).toBe("ok");
  });

  it("says the page is not available where the runtime has no files for it", async () => {
    const app = makeApp();
    const page = await app.request("/api-docs");
    expect(page.status).toBe(404);
    expect(await page.text()).toContain("/openapi.json");
    expect((await app.request("/api-docs/swagger-ui-bundle.js")).status).toBe(404);
  });

  it("reads the Bun server's files from the installed swagger-ui-dist package", async () => {
    const files = await readApiReferenceFiles();
    expect(files.script).toContain("SwaggerUIBundle");
    expect(files.stylesheet).toContain(".swagger-ui");
  });
});
