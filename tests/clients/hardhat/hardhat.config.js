// Hardhat 2 against an external node (RPC_URL): our node or anvil, driven by tests/clients/hardhat_test.ts.
// solc comes from the npm `solc` package (no compiler download): the subtask below hands Hardhat its soljson.js.
require("@nomicfoundation/hardhat-ethers");
const { subtask } = require("hardhat/config");
const { TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD } = require("hardhat/builtin-tasks/task-names");

subtask(TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD, async (args) => {
  const solc = require("solc");
  const longVersion = solc.version(); // 0.8.37+commit.f401782d.Emscripten.clang
  if (!longVersion.startsWith(args.solcVersion + "+")) {
    throw new Error(`npm solc is ${longVersion}, config wants ${args.solcVersion}`);
  }
  return {
    compilerPath: require.resolve("solc/soljson.js"),
    isSolcJs: true,
    version: args.solcVersion,
    longVersion: longVersion.replace(/\.Emscripten.*$/, ""),
  };
});

module.exports = {
  solidity: "0.8.37", // must equal the npm solc version
  networks: { target: { url: process.env.RPC_URL || "http://127.0.0.1:8545", timeout: 60_000 } },
  mocha: { timeout: 60_000 },
};
