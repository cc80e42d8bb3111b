/**
 * evmwasm as a library: run calls, transactions and state tests against
 * in-memory state without HTTP.
 *
 *   import { runCall, Interpreter, hexToBytes } from "./mod.ts";
 *   const r = runCall({ backend: new Interpreter(), code: hexToBytes("0x6001600101"), input: new Uint8Array() });
 */
export { Interpreter } from "./backends/interpreter/interpreter.ts";
export type { Backend } from "./backends/backend.ts";
export { createBackend } from "./backends/registry.ts";
export { runCall, defaultBlockEnv, type CallOptions, type CallResult } from "./src/evm/run_call.ts";
export { Evm, type EvmTracer } from "./src/evm/evm.ts";
export type { BlockEnv, TxEnv } from "./src/evm/env.ts";
export { CallKind, type ExecResult, type Message } from "./src/evm/message.ts";
export { WorldState, type Log, type StateSource } from "./src/state/world.ts";
export { Account } from "./src/state/account.ts";
export { Fork, type ForkId, parseFork, forkName, FORK_NAMES } from "./src/forks/fork.ts";
export { rulesFor, type ForkRules } from "./src/forks/rules.ts";
export { executeTransaction, validateTransaction, type TxContext, type TxResult } from "./src/tx/execute.ts";
export { InvalidTransactionError, type InvalidTxReason } from "./src/tx/errors.ts";
export { TxType, type Transaction, type AccessListEntry, type Authorization } from "./src/tx/transaction.ts";
export { runFixtureFile, type CaseResult } from "./src/statetest/runner.ts";
export { bytesToHex, hexToBytes, hexToBigInt, bigIntToHex, bytesToBigInt, bigIntToBytes } from "./src/primitives/hex.ts";
export { keccak256 } from "./src/primitives/hash.ts";
export { VERSION } from "./src/version.ts";
export { createForkedNode, createNode, EvmwasmNode, type NodeOptions, type ForkOptions, type RequestArguments } from "./src/node.ts";
export { DevChain, type DevChainOptions, type BlockRef, type BlockTag } from "./src/chain/chain.ts";
export { deriveDevAccounts, DEFAULT_MNEMONIC, type DevAccount } from "./src/chain/dev_accounts.ts";
export {
  decodeTransaction, encodeTransaction, recoverSender, signTransaction, signingHash, transactionHash,
  type SignedTransaction, type UnsignedTransaction, type TransactionSignature,
} from "./src/tx/codec.ts";
export { RpcError } from "./src/rpc/errors.ts";
export { hashTypedData, type TypedData } from "./src/primitives/typed_data.ts";
export { serve, type RunningServer, type ServeOptions } from "./src/server/serve.ts";
