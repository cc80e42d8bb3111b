/**
 * eth_simulateV1: calls in a sequence of simulated blocks over one scratch
 * state, each block with its own overrides; nothing touches the chain.
 */
import { scratchState } from "../state/overlay.ts";
import type { Log, WorldState } from "../state/world.ts";
import type { EvmTracer } from "../evm/evm.ts";
import { CallKind } from "../evm/message.ts";
import { bigIntToBytes } from "../primitives/hex.ts";
import { EMPTY_TRIE_ROOT } from "../state/trie.ts";
import {
  applyBlockOverrides,
  applyStateOverrides,
  type BlockOverrides,
  type CallRequest,
  callTransaction,
  runCallTransaction,
  type StateOverrides,
} from "./call.ts";
import type { DevChain, ResolvedBlock } from "./chain.ts";
import { ChainInputError } from "./errors.ts";
import { haltName } from "./halt_reason.ts";
import { decodeRevertReason } from "./revert_reason.ts";
import { logsBloom, orBlooms } from "./bloom.ts";
import { type BlockHeader, EMPTY_OMMERS_HASH, headerHash, setForkFields } from "./header.ts";
import { nextBaseFee } from "./fees.ts";

export interface SimulatedBlockInput {
  blockOverrides?: BlockOverrides;
  stateOverrides?: StateOverrides;
  calls: CallRequest[];
}

export interface SimulateOptions {
  blocks: SimulatedBlockInput[];
  validation: boolean;
  /** Ether moved by a call or creation appears as an ERC-20 Transfer log from TRANSFER_LOG_ADDRESS. */
  traceTransfers?: boolean;
}

/** The pseudo-token address geth's eth_simulateV1 logs ether transfers from. */
export const TRANSFER_LOG_ADDRESS = 0xeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeen;
const TRANSFER_TOPIC = 0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3efn;

/** Logs each value transfer inside the frame that makes it, so a reverted frame takes its transfer logs with it. */
function transferLogger(world: WorldState): EvmTracer {
  return {
    onEnter(msg) {
      const moves = msg.kind === CallKind.Call || msg.kind === CallKind.Create || msg.kind === CallKind.Create2;
      if (!moves || msg.value === 0n) return;
      world.addLog({ address: TRANSFER_LOG_ADDRESS, topics: [TRANSFER_TOPIC, msg.caller, msg.address], data: bigIntToBytes(msg.value) });
    },
  };
}

export interface SimulatedCall {
  status: boolean;
  returnData: Uint8Array;
  gasUsed: bigint;
  logs: Log[];
  error?: { code: number; message: string; data?: Uint8Array };
}

export interface SimulatedBlock {
  header: BlockHeader;
  hash: Uint8Array;
  calls: SimulatedCall[];
}

export const MAX_SIMULATED_BLOCKS = 256;
export const MAX_SIMULATED_CALLS = 1000;

export function simulate(chain: DevChain, base: ResolvedBlock, options: SimulateOptions): SimulatedBlock[] {
  if (options.blocks.length > MAX_SIMULATED_BLOCKS) {
    throw new ChainInputError(`too many blocks: at most ${MAX_SIMULATED_BLOCKS}`);
  }
  const totalCalls = options.blocks.reduce((n, b) => n + b.calls.length, 0);
  if (totalCalls > MAX_SIMULATED_CALLS) throw new ChainInputError(`too many calls: at most ${MAX_SIMULATED_CALLS}`);
  const { world, reader } = scratchState(base.state);
  let parent = base.block.header;
  let parentHash = base.block.hash;
  const out: SimulatedBlock[] = [];
  for (const input of options.blocks) {
    const number = input.blockOverrides?.number ?? parent.number + 1n;
    const time = input.blockOverrides?.time ?? parent.timestamp + 12n;
    if (number <= parent.number) throw new ChainInputError(`block number ${number} must be above ${parent.number}`);
    if (time <= parent.timestamp) {
      throw new ChainInputError(`block timestamp ${time} must be above ${parent.timestamp}`);
    }
    const baseFee = options.validation ? nextBaseFee(parent.baseFeePerGas ?? 0n, parent.gasUsed, parent.gasLimit) : 0n;
    const env = applyBlockOverrides({
      ...base.env,
      number,
      timestamp: time,
      baseFee,
      coinbase: parent.coinbase,
      gasLimit: parent.gasLimit,
    }, input.blockOverrides);
    applyStateOverrides(world, reader, input.stateOverrides);
    const calls: SimulatedCall[] = [];
    const bloom = new Uint8Array(256);
    let gasUsed = 0n;
    for (const r of input.calls) {
      const gasLeft = env.gasLimit - gasUsed;
      const tx = callTransaction(r, world, env, r.gas ?? gasLeft);
      if (options.validation && tx.nonce !== world.getNonce(tx.sender)) {
        throw new ChainInputError(`nonce ${tx.nonce} of ${tx.sender.toString(16)} does not match the account nonce`);
      }
      const result = runCallTransaction(chain, world, env, tx, r, options.traceTransfers ? transferLogger(world) : undefined);
      gasUsed += result.gasUsed;
      orBlooms(bloom, logsBloom(result.logs));
      const call: SimulatedCall = {
        status: result.status === "success",
        returnData: result.output,
        gasUsed: result.gasUsed,
        logs: result.logs,
      };
      if (result.status === "revert") {
        const reason = decodeRevertReason(result.output);
        call.error = {
          code: 3,
          message: reason === undefined ? "execution reverted" : `execution reverted: ${reason}`,
          data: result.output,
        };
      } else if (result.status === "halt") {
        call.error = { code: -32015, message: `EVM error ${haltName(result.error)}` };
      }
      calls.push(call);
    }
    const header: BlockHeader = {
      parentHash,
      ommersHash: EMPTY_OMMERS_HASH,
      coinbase: env.coinbase,
      stateRoot: EMPTY_TRIE_ROOT,
      transactionsRoot: EMPTY_TRIE_ROOT,
      receiptsRoot: EMPTY_TRIE_ROOT,
      logsBloom: bloom,
      difficulty: 0n,
      number,
      gasLimit: env.gasLimit,
      gasUsed,
      timestamp: env.timestamp,
      extraData: new Uint8Array(0),
      mixHash: new Uint8Array(32),
      nonce: new Uint8Array(8),
    };
    setForkFields(header, chain.hardfork.fork, { baseFee: env.baseFee });
    const hash = headerHash(header);
    out.push({ header, hash, calls });
    parent = header;
    parentHash = hash;
  }
  return out;
}
