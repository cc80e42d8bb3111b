/**
 * Re-executes a mined transaction on the state before its block, after the
 * block's system writes and the transactions before it, with a tracer.
 */
import type { EvmTracer } from "../evm/evm.ts";
import { scratchState } from "../state/overlay.ts";
import type { WorldState } from "../state/world.ts";
import { toExecutable } from "../tx/codec.ts";
import { executeTransaction, type TxResult } from "../tx/execute.ts";
import type { Block, MinedTransaction } from "./block.ts";
import type { DevChain } from "./chain.ts";
import { beginBlock } from "./block_processing.ts";

/** What to do with one transaction of a replayed block: trace it, and see its outcome. */
export interface ReplayVisit {
  tracer?: EvmTracer;
  /** Called right after the transaction ran, with the world as it left it. */
  done?(result: TxResult, world: WorldState): void;
}

/**
 * Re-executes a mined block's transactions (up to and including `upTo`, by index) on the state before the
 * block, calling `visit` before each; returns the world after the last one run.
 */
export function replayBlock(
  chain: DevChain,
  block: Block,
  visit: (t: MinedTransaction, world: WorldState) => ReplayVisit | undefined,
  upTo = block.transactions.length - 1,
): WorldState {
  const { world } = scratchState(chain.stateAfter(block.header.number - 1n));
  const hardfork = chain.hardforkOf(block);
  const env = chain.envOf(block);
  beginBlock({ world, hardfork, env, backend: chain.backend }, block.header.parentHash, block.header.parentBeaconBlockRoot);
  const ctx = { world, rules: hardfork.rules, block: env, backend: chain.backend, allowSenderCode: !chain.consensus };
  let gasUsed = 0n;
  for (const t of block.transactions) {
    if (t.index > upTo) break;
    const v = visit(t, world);
    const result = executeTransaction({ ...ctx, blockGasUsed: gasUsed, tracer: v?.tracer }, toExecutable(t.tx, t.sender));
    gasUsed += result.gasUsed;
    v?.done?.(result, world);
  }
  return world;
}

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
