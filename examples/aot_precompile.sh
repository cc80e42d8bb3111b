#!/usr/bin/env bash
# Precompile hot contracts into the AOT cache, then run one from it.
#   1. a node with the toy AMM deployed (examples/toy_amm.ts), or NODE_URL=... PAIR=0x... for your own;
#   2. `evmwasm precompile --fork-url <node> --address ...` fetches the contracts' code in one batch and
#      compiles each to WebAssembly into the on-disk cache (--cache-dir: $CACHE_DIR, else a temporary folder);
#   3. the same again: every contract "already cached";
#   4. `evmwasm run --backend wasm --cache-dir ... --opt 2` on the pair's code: the module comes from the cache
#      (compileMs near 0), against a cold compile with --no-cache.
# The cache key includes the Binaryen level: precompile uses -O2 by default, so `run` is given the same --opt
# (OPT=0 bash examples/aot_precompile.sh compiles at level 0: much faster, a little slower code).
# The pair's getReserves() runs against an empty state (`run` has no chain): it answers zeros.
# In-process, a node uses the cache with createNode({ backend: createBackend("wasm", { cacheDir, optimizeLevel: 2 }) }).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
. examples/node.sh
start_node

if [ -z "${PAIR:-}" ]; then
  AMM=$(npx -y deno run -A examples/toy_amm.ts --rpc-url "$NODE_URL")
  PAIR=$(echo "$AMM" | node -pe 'JSON.parse(require("fs").readFileSync(0, "utf8")).pair')
  ADDRESSES=$(echo "$AMM" | node -pe 'Object.values(JSON.parse(require("fs").readFileSync(0, "utf8"))).map((a) => "--address " + a).join(" ")')
else
  ADDRESSES="--address $PAIR ${MORE_ADDRESSES:-}"
fi
CACHE=${CACHE_DIR:-$WORK/aot-cache}
OPT=${OPT:-2} # Binaryen level: precompile's default
echo "== precompile into $CACHE"
# shellcheck disable=SC2086
evmwasm precompile --fork-url "$NODE_URL" $ADDRESSES --cache-dir "$CACHE" --opt "$OPT"
echo "== again: nothing left to compile"
# shellcheck disable=SC2086
evmwasm precompile --fork-url "$NODE_URL" $ADDRESSES --cache-dir "$CACHE" --opt "$OPT"

CODE=$WORK/pair.hex
rpc eth_getCode "[\"$PAIR\", \"latest\"]" | tr -d '"' >"$CODE"
GET_RESERVES=0x0902f1ac
echo "== run the pair's getReserves() on the WebAssembly backend, module from the cache"
evmwasm run --backend wasm --cache-dir "$CACHE" --opt "$OPT" --code "@$CODE" --input $GET_RESERVES --json
echo "== the same, compiled cold (--no-cache)"
evmwasm run --backend wasm --no-cache --opt "$OPT" --code "@$CODE" --input $GET_RESERVES --json
