/**
 * Deploys the toy AMM (examples/forge/src/ToyAmm.sol, compiled into
 * contracts/artifacts.json) on a node: WETH, a toy stablecoin (TUSD) and their
 * Uniswap-V2-style pair with 100 ETH / 300,000 TUSD of liquidity, from dev
 * account 0 (eth_sendTransaction, so the node must sign for it: anvil or evmwasm).
 *
 *   npx -y deno run -A examples/toy_amm.ts --rpc-url http://127.0.0.1:8545
 *   -> {"pair":"0x…","weth":"0x…","tusd":"0x…"}
 */
import { parseArgs } from "node:util";
import { type Abi, createPublicClient, createWalletClient, type Hex, http, parseEther } from "viem";
import { foundry } from "viem/chains";
import artifactsFile from "./contracts/artifacts.json" with { type: "json" };

export const artifacts = (artifactsFile as unknown as {
  artifacts: Record<"ToyPair" | "ToyToken" | "ToyWeth", { abi: Abi; bytecode: Hex; deployedBytecode: Hex }>;
}).artifacts;
export const DEV0 = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266" as const;

export interface ToyAmm {
  pair: Hex;
  weth: Hex;
  tusd: Hex;
}

export async function deployToyAmm(url: string): Promise<ToyAmm> {
  const pub = createPublicClient({ chain: foundry, transport: http(url) });
  const wallet = createWalletClient({ account: DEV0, chain: foundry, transport: http(url) });
  const deploy = async (name: keyof typeof artifacts, args: unknown[] = []) => {
    const hash = await wallet.deployContract(
      { abi: artifacts[name].abi, bytecode: artifacts[name].bytecode, args } as never,
    );
    return (await pub.waitForTransactionReceipt({ hash })).contractAddress as Hex;
  };
  const send = async (
    address: Hex,
    name: keyof typeof artifacts,
    functionName: string,
    args: unknown[] = [],
    value = 0n,
  ) => {
    const hash = await wallet.writeContract({ address, abi: artifacts[name].abi, functionName, args, value } as never);
    const receipt = await pub.waitForTransactionReceipt({ hash });
    if (receipt.status !== "success") throw new Error(`${name}.${functionName} failed`);
  };
  const weth = await deploy("ToyWeth");
  const tusd = await deploy("ToyToken", ["Toy USD", "TUSD"]);
  const pair = await deploy("ToyPair", [weth, tusd]);
  await send(weth, "ToyWeth", "deposit", [], parseEther("100"));
  await send(weth, "ToyWeth", "transfer", [pair, parseEther("100")]);
  await send(tusd, "ToyToken", "mint", [pair, parseEther("300000")]);
  await send(pair, "ToyPair", "sync");
  return { pair, weth, tusd };
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { "rpc-url": { type: "string", default: "http://127.0.0.1:8545" } } });
  console.log(JSON.stringify(await deployToyAmm(values["rpc-url"]!)));
}
