import type { components } from "./schema";

/** Schema names of the backend, re-exported so pages name API types in one place. */
export type Schemas = components["schemas"];
