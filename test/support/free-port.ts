/**
 * The old home of freePort and waitFor, re-exported for the files that still import them from
 * here; new code imports ./ports and ./wait-for.
 */
export { freePort } from "./ports";
export { waitFor } from "./wait-for";
