/**
 * `deno task start:deno`: the command line (cli.ts) on Deno from a bundle of its modules (scripts/start/bundle.ts),
 * built first when the sources have changed (about a second); the sources themselves if it cannot be built.
 * `deno run -A cli.ts` always runs the sources.
 *
 * Deno reads, resolves and evaluates a program module by module: cli.ts and the serve command are about 180
 * modules, which took 40-60 ms of each start to the first answer that a bundle of the same code (a few files,
 * the commands other than serve split out) does not.
 */
import { build, bundleEntry, isBuilt, sourceStamp } from "./bundle.ts";

const stamp = sourceStamp();
// Named at run time: a literal import() would have Deno read the modules it names before every start.
if (isBuilt(stamp) || await build(stamp)) await import(bundleEntry(stamp));
else await import(new URL("../../cli.ts", import.meta.url).href);
