# Sourced by the example scripts: `evmwasm` runs the single-file binary when it is built (deno task binary),
# else (or with EVMWASM_FROM_SOURCE=1) cli.ts under Deno; `start_node` starts a node on a free port (NODE_URL)
# unless NODE_URL is set, and stops it when the script exits; `rpc METHOD PARAMS` asks NODE_URL.
EVMWASM_CMD=()
if [ -x "$ROOT/dist/evmwasm" ] && [ -z "${EVMWASM_FROM_SOURCE:-}" ]; then
  EVMWASM_CMD=("$ROOT/dist/evmwasm")
else # deno itself (not through npx), so that the node's process id is deno's
  EVMWASM_CMD=("$(npx -y deno eval 'console.log(Deno.execPath())')" run -A --v8-flags=--stack-size=4000 "$ROOT/cli.ts")
fi
evmwasm() { "${EVMWASM_CMD[@]}" "$@"; }

NODE_PID=
WORK=$(mktemp -d) # temporary files, removed on exit
stop_node() {
  if [ -n "$NODE_PID" ]; then kill "$NODE_PID" 2>/dev/null || true; wait "$NODE_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
  true
}
trap stop_node EXIT

start_node() {
  [ -n "${NODE_URL:-}" ] && return
  local log=$WORK/node.log
  "${EVMWASM_CMD[@]}" serve --port 0 "$@" >"$log" 2>&1 &
  NODE_PID=$!
  for _ in $(seq 1 300); do
    grep -q "Listening on" "$log" && break
    kill -0 "$NODE_PID" 2>/dev/null || { cat "$log"; return 1; }
    sleep 0.1
  done
  NODE_URL=http://$(grep -o "Listening on [0-9.:]*" "$log" | cut -d' ' -f3)
  echo "node: $NODE_URL"
}

rpc() { # rpc METHOD JSON_PARAMS -> the result, as JSON
  node -e '
    fetch(process.argv[1], { method: "POST", headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: process.argv[2], params: JSON.parse(process.argv[3]) }) })
      .then((r) => r.json()).then((j) => { if (j.error) { console.error(j.error.message); process.exit(1); } console.log(JSON.stringify(j.result)); })' \
    "$NODE_URL" "$1" "$2"
}
