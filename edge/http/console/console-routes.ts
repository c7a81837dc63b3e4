import { Hono } from "hono";
import { CONSOLE_CSS, CONSOLE_HTML } from "./console-page";
import { CONSOLE_JS } from "./console-script";

/**
 * Only this server's own files, and calls to this server only: what the console needs, and no more
 * (a name a broker registered can never become markup or a script there).
 */
const CONSOLE_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

const securityHeaders = {
  "content-security-policy": CONSOLE_CSP,
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  // the assets change with the server's version only; a short cache keeps an upgrade visible
  "cache-control": "no-cache",
};

/** The web console: `GET /` and its two assets under `/console/`. */
export function consoleRoutes(): Hono {
  const app = new Hono();
  app.get("/", (c) => c.body(CONSOLE_HTML, 200, { ...securityHeaders, "content-type": "text/html; charset=utf-8" }));
  app.get("/console", (c) => c.redirect("/", 301));
  app.get("/console/", (c) => c.redirect("/", 301));
  app.get("/console/console.js", (c) => c.body(CONSOLE_JS, 200, { ...securityHeaders, "content-type": "text/javascript; charset=utf-8" }));
  app.get("/console/console.css", (c) => c.body(CONSOLE_CSS, 200, { ...securityHeaders, "content-type": "text/css; charset=utf-8" }));
  return app;
}
