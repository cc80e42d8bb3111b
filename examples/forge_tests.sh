#!/usr/bin/env bash
# Run Foundry tests against the evmwasm node:
#   1. start the node (dist/evmwasm when built with `deno task binary`, else cli.ts under Deno),
#   2. deploy the toy AMM with `forge script --broadcast` (examples/forge/script/DeployAmm.s.sol),
#   3. `forge test --fork-url <node>`: examples/forge/test/Swap.t.sol swaps on the deployed pair in forge's fork.
#
#   bash examples/forge_tests.sh                     # a fresh node on a free port
#   NODE_URL=http://127.0.0.1:8545 bash examples/forge_tests.sh   # a node that is already running
#
# forge: the one on PATH, or $FORGE, or npm's @foundry-rs/forge-linux-amd64 installed into
# ~/.cache/evmwasm-clients/forge-example. solc: npm's solc through examples/forge/solc-wrapper.cjs.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
KEY=0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80 # dev account 0

FORGE=${FORGE:-$(command -v forge || true)}
if [ -z "$FORGE" ]; then
  DEPS=${XDG_CACHE_HOME:-$HOME/.cache}/evmwasm-clients/forge-example
  if [ ! -x "$DEPS/node_modules/@foundry-rs/forge-linux-amd64/bin/forge" ]; then
    mkdir -p "$DEPS"
    (cd "$DEPS" && echo '{"private":true}' > package.json &&
      npm install --no-audit --no-fund --no-package-lock --ignore-scripts --loglevel=error @foundry-rs/forge-linux-amd64@1.7.1)
    chmod +x "$DEPS"/node_modules/@foundry-rs/forge-linux-amd64/bin/forge
  fi
  FORGE=$DEPS/node_modules/@foundry-rs/forge-linux-amd64/bin/forge
fi
export NODE_PATH=$ROOT/node_modules # the wrapper's `solc` (a devDependency: run `npx -y deno install` once)
[ -d "$ROOT/node_modules/solc" ] || npx -y deno install

. examples/node.sh
start_node

cd examples/forge
"$FORGE" script script/DeployAmm.s.sol:DeployAmm --rpc-url "$NODE_URL" --private-key "$KEY" --broadcast --offline |
  grep -E "pair|weth|tusd|ONCHAIN|Error" || true
RUN=$(ls -t broadcast/DeployAmm.s.sol/*/run-latest.json | head -1)
# The deployments in block order (WETH, TUSD, pair), from the receipts of run-latest.json.
read -r WETH _ PAIR < <(node -e '
  const run = require(process.argv[1]);
  const created = run.receipts.filter((r) => r.contractAddress)
    .sort((a, b) => Number(a.blockNumber) - Number(b.blockNumber) || Number(a.transactionIndex) - Number(b.transactionIndex));
  console.log(created.map((r) => r.contractAddress).join(" "));' "$PWD/$RUN")
echo "pair: $PAIR  weth: $WETH"
PAIR=$PAIR WETH=$WETH "$FORGE" test --fork-url "$NODE_URL" --no-storage-caching --offline -vv
