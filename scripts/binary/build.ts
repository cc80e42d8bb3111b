/**
 * `deno task binary`: the single-file binary dist/evmwasm.
 *
 *   deno run -A scripts/binary/build.ts [--out dist/evmwasm] [--unpacked]
 *
 * 1. `bun build --compile` (minified ESM with precompiled bytecode, which starts in about half the time of
 *    source) makes the executable: Bun's runtime (about 107 MB of it) and the bundle (Binaryen's 26 MB is most
 *    of that).
 * 2. It is shipped gzip'ed behind a small POSIX sh launcher (about a third of the size): the first run unpacks
 *    it into $EVMWASM_UNPACK_DIR, else $XDG_CACHE_HOME/evmwasm/bin, else ~/.cache/evmwasm/bin (a folder per
 *    build, named by the payload's hash, replacing other builds' folders; the write is atomic, so concurrent
 *    first runs are safe) and every run then `exec`s the unpacked executable (the launcher costs a shell's start, a millisecond or two). `--unpacked` writes
 *    the executable itself instead.
 */
import { Buffer } from "node:buffer";
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { parseArgs } from "node:util";
import { gzipSync } from "node:zlib";
import { VERSION } from "../../src/version.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const { values } = parseArgs({
  options: { out: { type: "string", default: "dist/evmwasm" }, unpacked: { type: "boolean", default: false } },
});
const out = resolve(ROOT, values.out!);
mkdirSync(dirname(out), { recursive: true });

/** The bun command line (tests/clients/binary_test.ts and docs/clients.md quote it from here). */
export const BUN_BUILD = [
  "build",
  "--compile",
  "--minify",
  "--splitting",
  "--format=esm",
  "--bytecode",
  // JavaScriptCore's JIT ten times as reluctant until the node answers (src/jit_policy.ts): start-up code runs once.
  "--compile-jit-policy=10",
  "--no-compile-autoload-dotenv",
  "--no-compile-autoload-bunfig",
  "scripts/binary/evmwasm.ts",
  "scripts/binary/compile_worker.ts",
  "scripts/binary/execution_worker.ts",
];

/** The header's size: the payload starts at byte HEADER_BYTES + 1 (tail -c +N counts from 1). */
const HEADER_BYTES = 1024;

export function launcher(hash: string): string {
  const script = `#!/bin/sh
# evmwasm ${VERSION}: this launcher, then the gzip'ed executable (scripts/binary/build.ts). The first run unpacks
# it into the cache folder below; every run executes the unpacked copy.
b="\${EVMWASM_UNPACK_DIR:-\${XDG_CACHE_HOME:-\${HOME:-/tmp}/.cache}/evmwasm/bin}"
d="$b/${hash}"
if [ ! -x "$d/evmwasm" ]; then
  mkdir -p "$d" && t="$d/.evmwasm.$$" &&
    tail -c +${HEADER_BYTES + 1} "$0" | gzip -dc > "$t" && chmod 755 "$t" && mv -f "$t" "$d/evmwasm" ||
    { rm -f "$t"; echo "evmwasm: cannot unpack the executable into $d" >&2; exit 1; }
  for o in "$b"/*/evmwasm; do [ "$o" = "$d/evmwasm" ] || { rm -f "$o"; rmdir "\${o%/evmwasm}"; } 2>/dev/null; done
fi
exec "$d/evmwasm" "$@"
`;
  if (script.length > HEADER_BYTES - 2) throw new Error("launcher longer than its header");
  return script + "#".repeat(HEADER_BYTES - script.length - 1) + "\n";
}

if (import.meta.main) {
  const full = values.unpacked ? out : `${out}.unpacked-${Deno.pid}`;
  const bun = new Deno.Command("npx", { args: ["-y", "bun", ...BUN_BUILD, "--outfile", full], cwd: ROOT }).spawn();
  if (!(await bun.status).success) Deno.exit(1);
  if (!values.unpacked) {
    try {
      const payload = gzipSync(readFileSync(full), { level: 6 });
      const hash = createHash("sha256").update(payload).digest("hex").slice(0, 16);
      const tmp = `${out}.tmp-${Deno.pid}`;
      writeFileSync(tmp, Buffer.concat([Buffer.from(launcher(hash)), payload]), { mode: 0o755 });
      renameSync(tmp, out);
      const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;
      console.log(`${values.out}: ${mb(HEADER_BYTES + payload.length)} (the executable it unpacks: ${mb(statSync(full).size)})`);
    } finally {
      rmSync(full, { force: true });
    }
  }
}
