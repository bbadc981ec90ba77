/**
 * Imported first by main.ts: citty decides once, when it loads, whether to colour
 * its help, and it only looks at NO_COLOR. Help piped into a file or grep must not
 * carry escape codes, so when stdout is not a terminal colour is turned off here.
 */
if (!process.stdout.isTTY && process.env.FORCE_COLOR === undefined) {
  process.env.NO_COLOR = "1";
}
