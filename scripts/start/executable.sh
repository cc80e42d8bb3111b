#!/bin/sh
# `deno task start`: the node as the single-file executable (scripts/binary/build.ts --unpacked) built from this
# folder's sources into .cache/start/, and built again first whenever a source is newer than it (a few seconds;
# the first time also installs the npm packages). The executable answers its first request in about a third of
# the time Deno takes to start the node from the sources (bench/startup.ts). Where it cannot be built, the node
# runs on Deno from the sources (`deno task start:deno`). Arguments are the command line's (serve and its options).
case "$0" in */*) cd "${0%/*}/../.." || exit 1 ;; esac
exe=.cache/start/evmwasm

# Whether the executable is missing or older than a file it is built from (globs that match nothing stay as
# they are and name no file, which is not newer).
stale() {
  [ -x "$exe" ] || return 0
  for f in cli.ts deno.json deno.lock package.json scripts/binary/*.ts backends/wasm/tools/deno.json \
    backends/wasm/tools/deno.lock backends/wasm/tools/package.json \
    src/*.ts src/*/*.ts src/*/*/*.ts src/*/*/*/*.ts src/*/*/*/*/*.ts \
    backends/*.ts backends/*/*.ts backends/*/*/*.ts backends/*/*/*/*.ts backends/*/*/*/*/*.ts; do
    [ "$f" -nt "$exe" ] && return 0
  done
  return 1
}

if stale; then
  deno=$(command -v deno) || deno="npx -y deno"
  echo "evmwasm: building the executable from the sources into $exe (once after each change: a few seconds)" >&2
  # Its time is the build's start, so that a source changed during the build is newer than it.
  t=".cache/start/.evmwasm-$$"
  if mkdir -p .cache/start && : > "$t.since" && $deno task -q setup >&2 &&
    $deno run -A scripts/binary/build.ts --unpacked --out "$t" >&2 && touch -r "$t.since" "$t" && mv -f "$t" "$exe"
  then
    rm -f "$t.since"
  else
    rm -f "$t" "$t.since"
    echo "evmwasm: the executable could not be built (above): running the sources on Deno" >&2
    exec $deno task -q start:deno "$@"
  fi
fi
exec "$exe" "$@"
