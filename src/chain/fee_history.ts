/** eth_feeHistory: base fees, gas used ratios and tip percentiles of recent blocks. */
import type { DevChain } from "./chain.ts";
import { ChainInputError } from "./errors.ts";
import { blobGasPrice } from "./fees.ts";
import { effectiveTip } from "./txpool.ts";

export const MAX_FEE_HISTORY_BLOCKS = 1024n;

export interface FeeHistory {
  oldestBlock: bigint;
  baseFeePerGas: bigint[];
  gasUsedRatio: number[];
  baseFeePerBlobGas: bigint[];
  blobGasUsedRatio: number[];
  reward?: bigint[][];
}

export function feeHistory(chain: DevChain, blockCount: bigint, newest: bigint, percentiles?: number[]): FeeHistory {
  if (percentiles) {
    for (let i = 0; i < percentiles.length; i++) {
      const p = percentiles[i];
      if (!(p >= 0 && p <= 100)) throw new ChainInputError(`invalid reward percentile ${p}: expected 0..100`);
      if (i > 0 && p < percentiles[i - 1]) throw new ChainInputError("reward percentiles must be in ascending order");
    }
  }
  if (newest > chain.blockNumber) {
    throw new ChainInputError(`newest block ${newest} is beyond the chain head ${chain.blockNumber}`);
  }
  const count = blockCount > MAX_FEE_HISTORY_BLOCKS ? MAX_FEE_HISTORY_BLOCKS : blockCount;
  const first = chain.blocks[0].header.number;
  const oldest = newest - count + 1n < first ? first : newest - count + 1n;
  const out: FeeHistory = {
    // No blocks asked for: nothing to answer (geth's oldestBlock 0).
    oldestBlock: count === 0n ? 0n : oldest,
    baseFeePerGas: [],
    gasUsedRatio: [],
    baseFeePerBlobGas: [],
    blobGasUsedRatio: [],
  };
  if (count === 0n) return out;
  // No percentiles (none given, or an empty list): no reward field, as geth answers.
  if (percentiles?.length === 0) percentiles = undefined;
  if (percentiles) out.reward = [];
  const schedule = chain.hardfork.blobSchedule;
  const maxBlobGas = BigInt(schedule.max) * 131072n;
  for (let n = oldest; n <= newest; n++) {
    const block = chain.blockByNumber(n)!;
    const h = block.header;
    out.baseFeePerGas.push(h.baseFeePerGas ?? 0n);
    out.gasUsedRatio.push(h.gasLimit === 0n ? 0 : Number(h.gasUsed) / Number(h.gasLimit));
    out.baseFeePerBlobGas.push(blobGasPrice(h.excessBlobGas ?? 0n, schedule));
    out.blobGasUsedRatio.push(maxBlobGas === 0n ? 0 : Number(h.blobGasUsed ?? 0n) / Number(maxBlobGas));
    if (percentiles) {
      const baseFee = h.baseFeePerGas ?? 0n;
      const tips = block.transactions
        .map((t) => ({ tip: effectiveTip(t, baseFee), gas: t.receipt.gasUsed }))
        .sort((a, b) => (a.tip < b.tip ? -1 : a.tip > b.tip ? 1 : 0));
      out.reward!.push(percentiles.map((p) => {
        if (tips.length === 0) return 0n;
        const threshold = (Number(h.gasUsed) * p) / 100;
        let cumulative = 0;
        for (const t of tips) {
          cumulative += Number(t.gas);
          if (cumulative >= threshold) return t.tip;
        }
        return tips[tips.length - 1].tip;
      }));
    }
  }
  // one more: the block after the newest
  if (newest === chain.blockNumber) {
    out.baseFeePerGas.push(chain.nextBlockBaseFee());
    out.baseFeePerBlobGas.push(chain.nextBlobBaseFee());
  } else {
    const next = chain.blockByNumber(newest + 1n)!.header;
    out.baseFeePerGas.push(next.baseFeePerGas ?? 0n);
    out.baseFeePerBlobGas.push(blobGasPrice(next.excessBlobGas ?? 0n, schedule));
  }
  return out;
}
