import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import type { ApiReferenceFiles } from "../edge/http/console/api-reference-routes";

/** Swagger UI's files read from the installed swagger-ui-dist package (the Bun server has node_modules). */
export async function readApiReferenceFiles(): Promise<ApiReferenceFiles> {
  const require = createRequire(import.meta.url);
  const [script, stylesheet] = await Promise.all([
    readFile(require.resolve("swagger-ui-dist/swagger-ui-bundle.js"), "utf8"),
    readFile(require.resolve("swagger-ui-dist/swagger-ui.css"), "utf8"),
  ]);
  return { script, stylesheet };
}
