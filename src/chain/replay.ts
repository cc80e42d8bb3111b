/**
 * Re-executes a mined transaction on the state before its block, after the
 * block's system writes and the transactions before it, with a tracer.
 */
import type { EvmTracer } from "../evm/evm.ts";
import { scratchState } from "../state/overlay.ts";
import type { WorldState } from "../state/world.ts";
import { toExecutable } from "../tx/codec.ts";
import { executeTransaction, type TxResult } from "../tx/execute.ts";
import type { MinedTransaction } from "./block.ts";
import type { DevChain } from "./chain.ts";
import { beginBlock } from "./block_processing.ts";

export function replayTransaction(
  chain: DevChain,
  target: MinedTransaction,
  makeTracer: (world: WorldState) => EvmTracer,
): { result: TxResult; world: WorldState } {
  const block = chain.blockByNumber(target.blockNumber)!;
  const { world } = scratchState(chain.stateAfter(target.blockNumber - 1n));
  const hardfork = chain.hardforkOf(block);
  const env = chain.envOf(block);
  beginBlock({ world, hardfork, env, backend: chain.backend }, block.header.parentHash, block.header.parentBeaconBlockRoot);
  const ctx = { world, rules: hardfork.rules, block: env, backend: chain.backend, allowSenderCode: !chain.consensus };
  let gasUsed = 0n;
  for (const t of block.transactions) {
    const tx = toExecutable(t.tx, t.sender);
    if (t.index === target.index) {
      const result = executeTransaction({ ...ctx, blockGasUsed: gasUsed, tracer: makeTracer(world) }, tx);
      return { result, world };
    }
    gasUsed += executeTransaction({ ...ctx, blockGasUsed: gasUsed }, tx).gasUsed;
  }
  throw new Error("transaction not found in its block");
}
