#!/usr/bin/env bash
# Dump a contract's WebAssembly, as text with the EVM pc of each block marked.
#   bash examples/dump_wat.sh                                  # the toy AMM pair's runtime code
#   bash examples/dump_wat.sh --rpc-url URL --address 0x...    # a deployed contract's code (eth_getCode)
#   OUT=pair.wat bash examples/dump_wat.sh ...                 # where to write it (default: examples/contract.wat)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
. examples/node.sh

CODE=$WORK/code.hex
if [ "${1:-}" = "--rpc-url" ] && [ "${3:-}" = "--address" ]; then
  NODE_URL=$2
  rpc eth_getCode "[\"$4\", \"latest\"]" | tr -d '"' >"$CODE"
else
  node -pe 'require("./examples/contracts/artifacts.json").artifacts.ToyPair.deployedBytecode' >"$CODE"
fi
OUT=${OUT:-examples/contract.wat}
evmwasm compile --code "@$CODE" --wat "$OUT" --out "${OUT%.wat}.wasm"
echo "== the first blocks of $OUT"
grep -n -m 8 "EVM pc" "$OUT"
echo "== $(grep -c "EVM pc" "$OUT") blocks, $(wc -l <"$OUT") lines of text"
