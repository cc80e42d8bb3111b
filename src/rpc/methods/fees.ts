/** Fee suggestions and history. */
import { bigIntToHex } from "../../primitives/hex.ts";
import { DEFAULT_PRIORITY_FEE } from "../../chain/fees.ts";
import { feeHistory } from "../../chain/fee_history.ts";
import { array, blockRef, fail, quantity } from "../params.ts";
import type { MethodTable } from "../context.ts";

export const feeMethods: MethodTable = {
  eth_gasPrice: (p, { chain }) => (p.atMost(0), bigIntToHex(chain.gasPrice())),
  eth_maxPriorityFeePerGas: (p) => (p.atMost(0), bigIntToHex(DEFAULT_PRIORITY_FEE)),
  eth_blobBaseFee: (p, { chain }) => (p.atMost(0), bigIntToHex(chain.nextBlobBaseFee())),
  /** The base fee of the next block. */
  eth_baseFee: (p, { chain }) => (p.atMost(0), bigIntToHex(chain.nextBlockBaseFee())),
  eth_feeHistory: (p, { chain }) => {
    p.atMost(3);
    const count = p.required(0, "blockCount", quantity);
    const ref = p.required(1, "newestBlock", blockRef);
    const percentiles = p.optional(2, "rewardPercentiles", array)?.map((v, i) =>
      typeof v === "number" ? v : fail(`rewardPercentiles[${i}]`, "a number from 0 to 100", v)
    );
    const newest = "tag" in ref
      ? (ref.tag === "pending" ? chain.blockNumber : chain.tagNumber(ref.tag))
      : "number" in ref
      ? ref.number
      : chain.findBlock(ref).header.number;
    const h = feeHistory(chain, count, newest, percentiles);
    const out: Record<string, unknown> = {
      oldestBlock: bigIntToHex(h.oldestBlock),
      baseFeePerGas: h.baseFeePerGas.map(bigIntToHex),
      gasUsedRatio: h.gasUsedRatio,
      baseFeePerBlobGas: h.baseFeePerBlobGas.map(bigIntToHex),
      blobGasUsedRatio: h.blobGasUsedRatio,
    };
    if (h.reward) out.reward = h.reward.map((r) => r.map(bigIntToHex));
    return out;
  },
};
