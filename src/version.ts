import pkg from "../package.json" with { type: "json" };

declare const BUILD_VERSION: string | undefined;

/**
 * `bun build --define BUILD_VERSION=...` can stamp a release; otherwise the
 * package.json version is bundled in, so source and binary agree without a step.
 */
export const VERSION: string = typeof BUILD_VERSION === "string" ? BUILD_VERSION : pkg.version;
