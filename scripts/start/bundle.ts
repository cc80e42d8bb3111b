/**
 * The start bundle (scripts/start/start.ts): the command line's modules bundled by `deno bundle`, kept in
 * .cache/start/<stamp's hash>/ with the stamp of the sources it was built from (a hash of each .ts file's path,
 * size and time under src/ and backends/, and FILES'). A bundle's folder is never replaced: a node that runs
 * from it loads some modules later (when first used). Folders of other stamps a day old are removed when one is
 * built.
 */
const ROOT = new URL("../../", import.meta.url);
const ROOT_PATH = decodeURIComponent(ROOT.pathname);
/** Where the bundles are kept, in the project's folder. */
const BUNDLES = ".cache/start/";
const BUNDLES_PATH = ROOT_PATH + BUNDLES;
const ENTRY = "scripts/start/bundle_entry.ts";
const FILES = ["cli.ts", "deno.json", "deno.lock", "scripts/start/bundle.ts", ENTRY];
const STALE_AFTER_MS = 24 * 3600_000;

/** Each source's path, size and modification time, and the runtime's version: what a bundle depends on. */
export function sourceStamp(): string {
  let count = 0, hash = FNV_OFFSET;
  const add = (path: string) => {
    const s = Deno.statSync(path);
    count++;
    hash = fnv1a(`${path} ${s.size} ${s.mtime?.getTime()}`, hash);
  };
  const walk = (dir: string) => {
    for (const e of Deno.readDirSync(dir)) {
      if (e.name === "node_modules" || e.name.startsWith(".")) continue;
      const path = `${dir}/${e.name}`;
      if (e.isDirectory) walk(path);
      else if (e.name.endsWith(".ts")) add(path);
    }
  };
  for (const f of FILES) add(ROOT_PATH + f);
  walk(ROOT_PATH + "src");
  walk(ROOT_PATH + "backends");
  return `${Deno.version.deno} ${count} ${hash.toString(16)}`;
}

const FNV_OFFSET = 0x811c9dc5;

function fnv1a(text: string, h = FNV_OFFSET): number {
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** The folder of the bundle built from sources with this stamp, in the project's folder. */
function bundleFolder(stamp: string): string {
  return `${BUNDLES}${fnv1a(stamp).toString(16).padStart(8, "0")}/`;
}

export function bundlePath(stamp: string): string {
  return ROOT_PATH + bundleFolder(stamp);
}

/** The bundle's entry point, to import. */
export function bundleEntry(stamp: string): string {
  return new URL(`${bundleFolder(stamp)}bundle_entry.js`, ROOT).href;
}

/** Whether the bundle of these sources is built (its stamp file is written last). */
export function isBuilt(stamp: string): boolean {
  try {
    return Deno.readTextFileSync(`${bundlePath(stamp)}stamp`) === stamp;
  } catch {
    return false;
  }
}

/** Builds the bundle of these sources; false (and why, on standard error) if it cannot. */
export async function build(stamp: string): Promise<boolean> {
  const tmp = `${BUNDLES_PATH}.tmp-${Deno.pid}-${Date.now()}/`;
  const args = ["bundle", "--quiet", "--platform", "deno", "--packages", "external", "--code-splitting"];
  const out = await new Deno.Command(Deno.execPath(), {
    args: [...args, "--outdir", tmp, ENTRY],
    cwd: ROOT_PATH,
    stdout: "piped",
    stderr: "piped",
  }).output().catch((e: Error) => ({ success: false, stderr: new TextEncoder().encode(e.message) }));
  try {
    if (!out.success) {
      const why = new TextDecoder().decode(out.stderr).trim().split("\n").slice(-3).join("\n");
      console.error(`evmwasm: running the sources: the start bundle could not be built (${why})`);
      return false;
    }
    Deno.writeTextFileSync(`${tmp}stamp`, stamp);
    try {
      Deno.renameSync(tmp, bundlePath(stamp));
    } catch {
      // another start put the same bundle in place first
    }
    removeOldBundles(stamp);
    return isBuilt(stamp);
  } finally {
    try {
      Deno.removeSync(tmp, { recursive: true });
    } catch {
      // renamed into place, or never made
    }
  }
}

function removeOldBundles(stamp: string): void {
  const keep = bundlePath(stamp);
  for (const e of Deno.readDirSync(BUNDLES_PATH)) {
    if (!e.isDirectory) continue; // `deno task start`'s executable (scripts/start/executable.sh)
    const path = `${BUNDLES_PATH}${e.name}/`;
    try {
      if (path !== keep && Date.now() - (Deno.statSync(path).mtime?.getTime() ?? 0) > STALE_AFTER_MS) {
        Deno.removeSync(path, { recursive: true });
      }
    } catch {
      // removed by another start
    }
  }
}
