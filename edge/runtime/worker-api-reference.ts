/**
 * Swagger UI's files on Workers, which have no file system: wrangler bundles them as text modules
 * (the `[[rules]]` Text entry in wrangler.toml names these two imports).
 */
import script from "swagger-ui-dist/swagger-ui-bundle.js";
import stylesheet from "swagger-ui-dist/swagger-ui.css";
import type { ApiReferenceFiles } from "../http/console/api-reference-routes";

export const workerApiReferenceFiles = async (): Promise<ApiReferenceFiles> => ({ script, stylesheet });
