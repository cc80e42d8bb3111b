/**
 * Compiles Contracts.sol and Extras.sol with the npm solc package (pinned in package.json)
 * into artifacts.json. Run after changing a source:
 *   npx -y deno run -A tests/rpc/contracts/build.ts
 */
import solc from "solc";

const dir = new URL(".", import.meta.url);
const files = ["Contracts.sol", "Extras.sol"];
const input = {
  language: "Solidity",
  sources: Object.fromEntries(files.map((f) => [f, { content: Deno.readTextFileSync(new URL(f, dir)) }])),
  settings: { optimizer: { enabled: true, runs: 200 }, outputSelection: { "*": { "*": ["abi", "evm.bytecode.object"] } } },
};
const output = JSON.parse(solc.compile(JSON.stringify(input)));
const errors = (output.errors ?? []).filter((e: { severity: string }) => e.severity === "error");
if (errors.length) throw new Error(errors.map((e: { formattedMessage: string }) => e.formattedMessage).join("\n"));
const artifacts: Record<string, { abi: unknown; bytecode: string }> = {};
for (const file of files) {
  for (const [name, c] of Object.entries(output.contracts[file] as Record<string, { abi: unknown; evm: { bytecode: { object: string } } }>)) {
    artifacts[name] = { abi: c.abi, bytecode: "0x" + c.evm.bytecode.object };
  }
}
Deno.writeTextFileSync(new URL("artifacts.json", dir), JSON.stringify({ compiler: solc.version(), artifacts }, null, 1) + "\n");
console.log(`compiled with ${solc.version()}: ${Object.keys(artifacts).join(", ")}`);
