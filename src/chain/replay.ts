/**
 * Re-executes a mined transaction on the state before its block, after the
 * block's system writes and the transactions before it, with a tracer.
 */
import type { EvmTracer } from "../evm/evm.ts";
import { bytesToBigInt } from "../primitives/hex.ts";
import { scratchState } from "../state/overlay.ts";
import type { WorldState } from "../state/world.ts";
import { toExecutable } from "../tx/codec.ts";
import { executeTransaction, type TxResult } from "../tx/execute.ts";
import type { MinedTransaction } from "./block.ts";
import type { DevChain } from "./chain.ts";
import { headerFieldsOf } from "./header.ts";
import { storeBeaconRoot, storeParentHash } from "./system_contracts.ts";

export function replayTransaction(
  chain: DevChain,
  target: MinedTransaction,
  makeTracer: (world: WorldState) => EvmTracer,
): { result: TxResult; world: WorldState } {
  const block = chain.blockByNumber(target.blockNumber)!;
  const { world } = scratchState(chain.stateAfter(target.blockNumber - 1n));
  const fields = headerFieldsOf(chain.hardfork.fork);
  if (fields.requests) storeParentHash(world, block.header.number, bytesToBigInt(block.header.parentHash));
  if (fields.blobs) storeBeaconRoot(world, block.header.timestamp, 0n);
  const env = chain.envOf(block);
  const ctx = { world, rules: chain.hardfork.rules, block: env, backend: chain.backend, allowSenderCode: true };
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
