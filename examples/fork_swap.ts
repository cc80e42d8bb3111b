/**
 * Fork a chain and simulate a swap on a Uniswap-V2-style pair, in-process.
 *
 *   npx -y deno run -A examples/fork_swap.ts
 *       starts anvil (npm, a devDependency) as a stand-in for mainnet, deploys a toy
 *       WETH, a toy stablecoin and a ToyPair with liquidity on it, then forks it
 *   npx -y deno run -A examples/fork_swap.ts --fork-url https://<your mainnet RPC> \
 *       --pair 0xB4e16d0168e52d35CaCD2c6185b44281Ec28C9Dc --weth 0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2
 *       the same against a real chain: the USDC/WETH Uniswap V2 pair ([--block N] pins a block)
 *
 * The fork is a node from mod.ts (createForkedNode) driven by viem without HTTP.
 * It quotes the swap from the reserves, simulates it without mining
 * (eth_simulateV1: wrap ETH, pay the pair, swap), runs it for real inside an
 * evm_snapshot, reverts, and checks that the upstream never changed.
 * Options: [--amount ETH] (default 1) [--json].
 */
import { parseArgs } from "node:util";
import { chmodSync } from "node:fs";
import {
  type Abi,
  createPublicClient,
  createTestClient,
  createWalletClient,
  custom,
  formatEther,
  formatUnits,
  type Hex,
  http,
  parseEther,
} from "viem";
import { foundry } from "viem/chains";
import { createForkedNode, type EvmwasmNode } from "../mod.ts";
import { artifacts, deployToyAmm, DEV0 } from "./toy_amm.ts";

const pairAbi = artifacts.ToyPair.abi; // Uniswap V2's pair interface: token0, token1, getReserves, swap
const wethAbi = artifacts.ToyWeth.abi; // WETH9's deposit, ERC-20's transfer and balanceOf
const erc20Abi = artifacts.ToyToken.abi;
const TRADER = DEV0; // dev account 0 on the fork

const { values: opts } = parseArgs({
  options: {
    "fork-url": { type: "string" },
    "block": { type: "string" },
    "pair": { type: "string" },
    "weth": { type: "string" },
    "amount": { type: "string", default: "1" },
    "json": { type: "boolean", default: false },
  },
});

/** Uniswap V2's getAmountOut: the output for `amountIn` with the 0.3% fee. */
function amountOut(amountIn: bigint, reserveIn: bigint, reserveOut: bigint): bigint {
  const inWithFee = amountIn * 997n;
  return (inWithFee * reserveOut) / (reserveIn * 1000n + inWithFee);
}

/** The stand-in for mainnet: anvil (npm) with the toy AMM of toy_amm.ts. */
async function startToyMainnet(): Promise<{ url: string; pair: Hex; weth: Hex; stop(): Promise<void> }> {
  const bin = new URL("../node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil", import.meta.url).pathname;
  chmodSync(bin, 0o755);
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const child = new Deno.Command(bin, { args: ["--port", String(port), "--silent"], stdout: "null", stderr: "null" })
    .spawn();
  const stop = async () => {
    child.kill("SIGTERM");
    await child.status;
  };
  const url = `http://127.0.0.1:${port}`;
  try {
    const client = createPublicClient({ chain: foundry, transport: http(url) });
    for (let i = 0;; i++) {
      try {
        await client.getChainId();
        break;
      } catch (e) {
        if (i > 100) throw e;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    const { pair, weth } = await deployToyAmm(url);
    return { url, pair, weth, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

async function main(): Promise<Record<string, unknown>> {
  let upstream = opts["fork-url"];
  let pair = opts.pair as Hex | undefined;
  let weth = opts.weth as Hex | undefined;
  let toy: Awaited<ReturnType<typeof startToyMainnet>> | undefined;
  if (!upstream) {
    toy = await startToyMainnet();
    [upstream, pair, weth] = [toy.url, toy.pair, toy.weth];
  } else if (!pair || !weth) {
    throw new Error("with --fork-url, give --pair and --weth (see the comment at the top)");
  }
  let node: EvmwasmNode | undefined;
  try {
    node = await createForkedNode({
      // The on-disk state cache is keyed by chain id and block number: right for a real chain, wrong for a
      // throwaway anvil whose block 7 differs from run to run.
      fork: {
        url: upstream,
        blockNumber: opts.block ? BigInt(opts.block) : undefined,
        storageCaching: !toy,
        timeoutMs: 45_000,
      },
      log: () => {},
    });
    const transport = custom({ request: ({ method, params }) => node!.request({ method, params }) }, { retryCount: 0 });
    const pub = createPublicClient({ chain: foundry, transport });
    const test = createTestClient({ mode: "anvil", chain: foundry, transport });
    const wallet = createWalletClient({ account: TRADER, chain: foundry, transport });
    const upstreamClient = createPublicClient({ transport: http(upstream) });

    // ---- quote from the forked reserves ----
    const read = (address: Hex, abi: Abi, functionName: string, args: unknown[] = []) =>
      pub.readContract({ address, abi, functionName, args } as never) as Promise<unknown>;
    const [token0, token1] = await Promise.all([
      read(pair!, pairAbi, "token0"),
      read(pair!, pairAbi, "token1"),
    ]) as Hex[];
    const wethIs0 = token0.toLowerCase() === weth!.toLowerCase();
    const other = wethIs0 ? token1 : token0;
    const [r0, r1] = await read(pair!, pairAbi, "getReserves") as [bigint, bigint, number];
    const [reserveIn, reserveOut] = wethIs0 ? [r0, r1] : [r1, r0];
    const amountIn = parseEther(opts.amount!);
    const quoted = amountOut(amountIn, reserveIn, reserveOut);
    const decimals = Number(await read(other, erc20Abi, "decimals"));
    const symbol = String(await read(other, erc20Abi, "symbol"));
    const swapArgs = [wethIs0 ? 0n : quoted, wethIs0 ? quoted : 0n, TRADER, "0x"];

    // ---- simulate without mining: wrap, pay the pair, swap, read the balance ----
    const before = await read(other, erc20Abi, "balanceOf", [TRADER]) as bigint;
    const { results } = await pub.simulateCalls({
      account: TRADER,
      calls: [
        { to: weth!, abi: wethAbi, functionName: "deposit", value: amountIn },
        { to: weth!, abi: wethAbi, functionName: "transfer", args: [pair!, amountIn] },
        { to: pair!, abi: pairAbi, functionName: "swap", args: swapArgs },
        { to: other, abi: erc20Abi, functionName: "balanceOf", args: [TRADER] },
      ],
    });
    const failed = results.find((r) => r.status !== "success");
    if (failed) throw new Error(`simulated swap failed: ${failed.error?.message}`);
    const simulatedOut = (results[3].result as bigint) - before;
    const simulatedGas = results.reduce((s, r) => s + r.gasUsed, 0n);

    // ---- the same swap mined on the fork, then undone ----
    const snapshot = await test.snapshot();
    const hashes = [
      await wallet.writeContract({ address: weth!, abi: wethAbi, functionName: "deposit", value: amountIn }),
      await wallet.writeContract({ address: weth!, abi: wethAbi, functionName: "transfer", args: [pair!, amountIn] }),
      await wallet.writeContract({ address: pair!, abi: pairAbi, functionName: "swap", args: swapArgs } as never),
    ];
    const receipts = await Promise.all(hashes.map((hash) => pub.waitForTransactionReceipt({ hash })));
    const minedOut = (await read(other, erc20Abi, "balanceOf", [TRADER]) as bigint) - before;
    const [n0, n1] = await read(pair!, pairAbi, "getReserves") as [bigint, bigint, number];
    await test.revert({ id: snapshot });
    const [b0, b1] = await read(pair!, pairAbi, "getReserves") as [bigint, bigint, number];
    const [u0, u1] = await upstreamClient.readContract({
      address: pair!,
      abi: pairAbi,
      functionName: "getReserves",
    }) as [bigint, bigint, number];

    const report = {
      upstream: toy ? "anvil (toy mainnet)" : upstream,
      forkBlock: Number(await pub.getBlockNumber({ cacheTime: 0 })),
      pair,
      swap: `${opts.amount} WETH -> ${symbol}`,
      quoted: formatUnits(quoted, decimals),
      simulated: formatUnits(simulatedOut, decimals),
      simulatedGas: Number(simulatedGas),
      mined: formatUnits(minedOut, decimals),
      minedGas: receipts.map((r) => Number(r.gasUsed)),
      reservesAfterSwap: [formatUnits(n0, wethIs0 ? 18 : decimals), formatUnits(n1, wethIs0 ? decimals : 18)],
      reservesAfterRevert: [String(b0), String(b1)],
      upstreamReserves: [String(u0), String(u1)],
      upstreamUnchanged: u0 === r0 && u1 === r1 && b0 === r0 && b1 === r1,
      upstreamStats: await node.request({ method: "evmwasm_upstreamStats" }),
    };
    if (quoted !== simulatedOut || quoted !== minedOut || !report.upstreamUnchanged) {
      throw new Error(`inconsistent: ${JSON.stringify(report)}`);
    }
    if (!opts.json) {
      console.log(`forked ${report.upstream} at block ${report.forkBlock}; pair ${pair}`);
      console.log(
        `swap ${report.swap}: quoted ${report.quoted}, simulated ${report.simulated} (${report.simulatedGas} gas in 4 calls), ` +
          `mined ${report.mined} (gas ${report.minedGas.join(" + ")})`,
      );
      console.log(
        `reserves after the swap ${report.reservesAfterSwap.join(" / ")}; after evm_revert and upstream: unchanged`,
      );
      console.log(
        `WETH price: ${formatEther((reserveOut * 10n ** 18n) / reserveIn * 10n ** BigInt(18 - decimals))} ${symbol}`,
      );
    }
    return report;
  } finally {
    await node?.close();
    await toy?.stop();
  }
}

const report = await main();
if (opts.json) console.log(JSON.stringify(report, null, 1));
