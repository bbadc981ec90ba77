import pkg from "../package.json" with { type: "json" };

declare const BUILD_VERSION: string | undefined;
declare const BUILD_COMMIT: string | undefined;

/**
 * `bun build --define BUILD_VERSION=...` can stamp a release; otherwise the
 * package.json version is bundled in, so source and binary agree without a step.
 */
export const VERSION: string = typeof BUILD_VERSION === "string" ? BUILD_VERSION : pkg.version;

/**
 * The git commit a release was built from (`npm run release` defines it), so a
 * bug report names exact code; "unknown" for a plain build or a source run.
 */
export const COMMIT: string = typeof BUILD_COMMIT === "string" ? BUILD_COMMIT : "unknown";

/** What `chat --version` prints. */
export const VERSION_LINE = `${VERSION} (commit ${COMMIT})`;
