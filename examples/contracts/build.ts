/**
 * Compiles the toy AMM (examples/forge/src/ToyAmm.sol, shared with the Foundry example) with the npm solc
 * package (pinned in package.json) into artifacts.json, which the TypeScript examples load. Run after
 * changing the source:
 *   npx -y deno run -A examples/contracts/build.ts
 */
import solc from "solc";

const dir = new URL(".", import.meta.url);
const source = Deno.readTextFileSync(new URL("../forge/src/ToyAmm.sol", dir));
const input = {
  language: "Solidity",
  sources: { "ToyAmm.sol": { content: source } },
  settings: {
    optimizer: { enabled: true, runs: 200 },
    outputSelection: { "*": { "*": ["abi", "evm.bytecode.object", "evm.deployedBytecode.object"] } },
  },
};
const output = JSON.parse(solc.compile(JSON.stringify(input)));
const errors = (output.errors ?? []).filter((e: { severity: string }) => e.severity === "error");
if (errors.length) throw new Error(errors.map((e: { formattedMessage: string }) => e.formattedMessage).join("\n"));
type Compiled = { abi: unknown; evm: { bytecode: { object: string }; deployedBytecode: { object: string } } };
const artifacts: Record<string, { abi: unknown; bytecode: string; deployedBytecode: string }> = {};
for (const [name, c] of Object.entries(output.contracts["ToyAmm.sol"] as Record<string, Compiled>)) {
  if (!c.evm.bytecode.object) continue; // abstract
  artifacts[name] = {
    abi: c.abi,
    bytecode: "0x" + c.evm.bytecode.object,
    deployedBytecode: "0x" + c.evm.deployedBytecode.object,
  };
}
Deno.writeTextFileSync(
  new URL("artifacts.json", dir),
  JSON.stringify({ compiler: solc.version(), artifacts }, null, 1) + "\n",
);
console.log(`compiled with ${solc.version()}: ${Object.keys(artifacts).join(", ")}`);
