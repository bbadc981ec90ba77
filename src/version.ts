declare const BUILD_VERSION: string | undefined;

/** Baked in by `bun build --define BUILD_VERSION=...`; "dev" when run from source. */
export const VERSION: string = typeof BUILD_VERSION === "string" ? BUILD_VERSION : "0.1.0-dev";
