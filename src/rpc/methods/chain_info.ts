/**
 * What the node serves and how its chain is configured: eth_config (EIP-7910:
 * the current, next and last fork's parameters) and eth_capabilities (which
 * blocks' data the node can answer for).
 */
import type { DevChain } from "../../chain/chain.ts";
import { DEFAULT_STATE_HISTORY } from "../../chain/chain.ts";
import type { ForkActivation } from "../../chain/fork_schedule.ts";
import type { ChainHardfork } from "../../chain/hardfork.ts";
import { CONSOLIDATION_REQUEST_ADDRESS, WITHDRAWAL_REQUEST_ADDRESS } from "../../chain/block_processing.ts";
import { BEACON_ROOTS_ADDRESS, HISTORY_STORAGE_ADDRESS } from "../../chain/system_contracts.ts";
import { precompileNames } from "../../evm/precompiles/index.ts";
import { Fork } from "../../forks/fork.ts";
import { bigIntToHex, bytesToHex, hexAddress } from "../../primitives/hex.ts";
import type { MethodTable } from "../context.ts";

const FAR = (1n << 64n) - 1n;

function forkConfig(chain: DevChain, activation: ForkActivation, hardfork: ChainHardfork) {
  const genesis = chain.blocks[0];
  const at = activation.timestamp ?? 0n;
  const precompiles: Record<string, string> = {};
  for (const p of precompileNames(hardfork.fork)) precompiles[p.name] = hexAddress(BigInt(p.address));
  const systemContracts: Record<string, string> = {};
  if (hardfork.fork >= Fork.Cancun) systemContracts.BEACON_ROOTS_ADDRESS = hexAddress(BEACON_ROOTS_ADDRESS);
  if (hardfork.fork >= Fork.Prague) {
    systemContracts.CONSOLIDATION_REQUEST_PREDEPLOY_ADDRESS = hexAddress(CONSOLIDATION_REQUEST_ADDRESS);
    systemContracts.DEPOSIT_CONTRACT_ADDRESS = hexAddress(chain.schedule.depositContract);
    systemContracts.HISTORY_STORAGE_ADDRESS = hexAddress(HISTORY_STORAGE_ADDRESS);
    systemContracts.WITHDRAWAL_REQUEST_PREDEPLOY_ADDRESS = hexAddress(WITHDRAWAL_REQUEST_ADDRESS);
  }
  const forkId = chain.schedule.forkId(genesis.hash, genesis.header.timestamp, FAR, at).hash;
  const s = hardfork.blobSchedule;
  return {
    // A fork active from genesis reports 0.
    activationTime: Number(genesis.header.timestamp >= at ? 0n : at),
    blobSchedule: hardfork.fork >= Fork.Cancun
      ? { target: s.target, max: s.max, baseFeeUpdateFraction: Number(s.updateFraction) }
      : null,
    chainId: bigIntToHex(chain.chainId),
    forkId: "0x" + forkId.toString(16).padStart(8, "0"),
    precompiles,
    systemContracts,
  };
}

/** eth_config: forks scheduled by timestamp (or in force from genesis); a later block-activated fork has none. */
function ethConfig(chain: DevChain) {
  const head = chain.latest.header;
  const merged = chain.schedule.isPostMerge(head.number, (chain.latest.totalDifficulty ?? 0n) - head.difficulty);
  const current = chain.schedule.activationAt(head.number, head.timestamp, merged);
  const byTime = (a: ForkActivation) => a.timestamp !== undefined || a.block === 0n;
  const later = chain.schedule.timeForksAfter(head.timestamp);
  const config = (a: ForkActivation | undefined) =>
    a && byTime(a) ? forkConfig(chain, a, chain.schedule.atActivation(a)) : null;
  const next = config(later[0]);
  return {
    current: config(current),
    next,
    last: next ? config(later[later.length - 1]) : null,
  };
}

function ethCapabilities(chain: DevChain) {
  const first = chain.blocks[0].header.number;
  const head = chain.latest;
  const history = BigInt(chain.options.stateHistory ?? DEFAULT_STATE_HISTORY);
  const oldestState = head.header.number - history > first ? head.header.number - history : first;
  const kept = { disabled: false, oldestBlock: bigIntToHex(first) };
  const window = {
    disabled: false,
    oldestBlock: bigIntToHex(oldestState),
    deleteStrategy: { type: "window", retentionBlocks: bigIntToHex(history) },
  };
  return {
    head: { number: bigIntToHex(head.header.number), hash: bytesToHex(head.hash) },
    state: window,
    tx: kept,
    logs: kept,
    receipts: kept,
    blocks: kept,
    stateproofs: window,
  };
}

export const chainInfoMethods: MethodTable = {
  eth_config: (p, { chain }) => (p.atMost(0), ethConfig(chain)),
  eth_capabilities: (p, { chain }) => (p.atMost(0), ethCapabilities(chain)),
};
