import { Hono } from "hono";

/** Swagger UI's two files (from the swagger-ui-dist package), as each runtime can load them. */
export interface ApiReferenceFiles {
  script: string;
  stylesheet: string;
}

/** Loads the files once, when the page is first asked for; a runtime that cannot bundle them passes none. */
export type ApiReferenceSource = () => Promise<ApiReferenceFiles>;

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>edge-namesrv API reference</title>
<link rel="stylesheet" href="/api-docs/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/api-docs/swagger-ui-bundle.js"></script>
<script src="/api-docs/api-docs.js"></script>
</body>
</html>
`;

// validatorUrl null: Swagger UI otherwise sends the document to an outside validator for a badge;
// the console's token (if logged in) is sent with "Try it out" calls as it is with the console's own
const INITIALIZER = `window.ui = SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  validatorUrl: null,
  requestInterceptor: function (request) {
    var token = sessionStorage.getItem("edge-namesrv.token");
    if (token) request.headers.Authorization = "Bearer " + token;
    return request;
  },
});
`;

const UNAVAILABLE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>API reference not available</title></head>
<body><p>The API reference page is not bundled in this runtime. The OpenAPI document is at <a href="/openapi.json">/openapi.json</a>.</p></body></html>
`;

// Swagger UI sets inline styles and shows data: images; everything else is this server's own
const API_DOCS_CSP = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; font-src 'self' data:; base-uri 'none'; frame-ancestors 'none'";

const headers = (contentType: string) => ({
  "content-type": contentType,
  "content-security-policy": API_DOCS_CSP,
  "x-content-type-options": "nosniff",
  "cache-control": "no-cache",
});

/** `GET /api-docs`: Swagger UI over /openapi.json, served from this server only (no CDN). */
export function apiReferenceRoutes(source: ApiReferenceSource | undefined): Hono {
  const app = new Hono();
  let files: Promise<ApiReferenceFiles> | null = null;
  const load = () => {
    files ??= source!().catch((err) => {
      files = null; // tried again with the next request
      throw err;
    });
    return files;
  };

  app.get("/api-docs", (c) =>
    source ? c.body(PAGE, 200, headers("text/html; charset=utf-8")) : c.body(UNAVAILABLE, 404, headers("text/html; charset=utf-8")),
  );
  app.get("/api-docs/", (c) => c.redirect("/api-docs", 301));
  app.get("/api-docs/api-docs.js", (c) => c.body(INITIALIZER, 200, headers("text/javascript; charset=utf-8")));
  app.get("/api-docs/swagger-ui-bundle.js", async (c) => {
    if (!source) return c.notFound();
    return c.body((await load()).script, 200, headers("text/javascript; charset=utf-8"));
  });
  app.get("/api-docs/swagger-ui.css", async (c) => {
    if (!source) return c.notFound();
    return c.body((await load()).stylesheet, 200, headers("text/css; charset=utf-8"));
  });
  return app;
}
