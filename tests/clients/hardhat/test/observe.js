// Collects what the tests saw (gas, statuses, logs, return values, revert data) into OUT_FILE,
// so that tests/clients/hardhat_test.ts can compare the run on our node with the run on anvil.
const fs = require("fs");

const seen = {};
const json = (v) => JSON.parse(JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? x.toString() : x)));

function observe(key, value) {
  seen[key] = json(value);
}

after(() => {
  if (process.env.OUT_FILE) fs.writeFileSync(process.env.OUT_FILE, JSON.stringify(seen, null, 1));
});

/** The receipt fields both nodes must agree on. */
function receiptSummary(r) {
  return {
    status: r.status,
    gasUsed: r.gasUsed,
    cumulativeGasUsed: r.cumulativeGasUsed,
    contractAddress: r.contractAddress,
    logs: r.logs.map((l) => ({ address: l.address, topics: l.topics, data: l.data, index: l.index })),
  };
}

module.exports = { observe, receiptSummary };
