/** The EEST `state_test` fixture format, and its conversion to our types. */
import { Account } from "../state/account.ts";
import { WorldState } from "../state/world.ts";
import { hexToBigInt, hexToBytes } from "../primitives/hex.ts";
import { keccak256 } from "../primitives/hash.ts";
import { bytesToBigInt } from "../primitives/hex.ts";
import { privateKeyToAddress } from "../primitives/signature.ts";
import type { BlockEnv } from "../evm/env.ts";
import type { ForkRules } from "../forks/rules.ts";
import { blobBaseFee } from "../tx/blob.ts";
import { TxType, type Transaction, type TxType as TxTypeT } from "../tx/transaction.ts";

export interface FixtureAccount {
  nonce: string;
  balance: string;
  code: string;
  storage: Record<string, string>;
}

export interface FixturePost {
  hash: string;
  logs: string;
  txbytes?: string;
  indexes: { data: number; gas: number; value: number };
  expectException?: string;
  state?: Record<string, FixtureAccount>;
}

export interface FixtureTransaction {
  nonce: string;
  to: string;
  sender?: string;
  secretKey?: string;
  data: string[];
  gasLimit: string[];
  value: string[];
  gasPrice?: string;
  maxFeePerGas?: string;
  maxPriorityFeePerGas?: string;
  accessLists?: ({ address: string; storageKeys: string[] }[] | null)[];
  maxFeePerBlobGas?: string;
  blobVersionedHashes?: string[];
  authorizationList?: { chainId: string; address: string; nonce: string; v?: string; yParity?: string; r: string; s: string }[];
}

export interface FixtureEnv {
  currentCoinbase: string;
  currentGasLimit: string;
  currentNumber: string;
  currentTimestamp: string;
  currentDifficulty?: string;
  currentRandom?: string;
  currentBaseFee?: string;
  currentExcessBlobGas?: string;
}

export interface StateTestCase {
  env: FixtureEnv;
  pre: Record<string, FixtureAccount>;
  transaction: FixtureTransaction;
  post: Record<string, FixturePost[]>;
  config?: { chainid?: string; blobSchedule?: Record<string, { baseFeeUpdateFraction: string }> };
}

export function buildWorld(pre: Record<string, FixtureAccount>): WorldState {
  const world = new WorldState();
  for (const [addr, a] of Object.entries(pre)) {
    const storage = new Map<bigint, bigint>();
    for (const [k, v] of Object.entries(a.storage ?? {})) {
      const value = hexToBigInt(v, `storage of ${addr}`);
      if (value !== 0n) storage.set(hexToBigInt(k, `storage key of ${addr}`), value);
    }
    world.setAccountDirect(
      hexToBigInt(addr, "pre-state address"),
      new Account(hexToBigInt(a.nonce, "nonce"), hexToBigInt(a.balance, "balance"), hexToBytes(a.code, "code"), storage),
    );
  }
  return world;
}

/** Hash of an earlier block in the state-test convention: keccak256 of its number in decimal. */
function stateTestBlockHash(n: bigint): bigint {
  return bytesToBigInt(keccak256(new TextEncoder().encode(n.toString())));
}

export function buildBlockEnv(tc: StateTestCase, rules: ForkRules, forkKey: string): BlockEnv {
  const env = tc.env;
  const fraction = tc.config?.blobSchedule?.[forkKey]?.baseFeeUpdateFraction;
  const updateFraction = fraction ? hexToBigInt(fraction) : rules.blobBaseFeeUpdateFraction;
  return {
    coinbase: hexToBigInt(env.currentCoinbase, "currentCoinbase"),
    number: hexToBigInt(env.currentNumber, "currentNumber"),
    timestamp: hexToBigInt(env.currentTimestamp, "currentTimestamp"),
    gasLimit: hexToBigInt(env.currentGasLimit, "currentGasLimit"),
    difficulty: hexToBigInt(env.currentDifficulty ?? "0x0", "currentDifficulty"),
    prevRandao: hexToBigInt(env.currentRandom ?? "0x0", "currentRandom"),
    baseFee: rules.eip1559 ? hexToBigInt(env.currentBaseFee ?? "0x0", "currentBaseFee") : 0n,
    blobBaseFee: rules.blobMaxPerBlock ? blobBaseFee(hexToBigInt(env.currentExcessBlobGas ?? "0x0"), updateFraction) : 0n,
    chainId: hexToBigInt(tc.config?.chainid ?? "0x1", "chainid"),
    blockHash: stateTestBlockHash,
  };
}

export function buildTransaction(t: FixtureTransaction, idx: FixturePost["indexes"]): Transaction {
  const accessList = t.accessLists?.[idx.data] ?? undefined;
  let type: TxTypeT;
  if (t.authorizationList) type = TxType.SetCode;
  else if (t.blobVersionedHashes) type = TxType.Blob;
  else if (t.maxFeePerGas !== undefined) type = TxType.FeeMarket;
  else if (accessList) type = TxType.AccessList;
  else type = TxType.Legacy;
  const sender = t.sender
    ? hexToBigInt(t.sender, "sender")
    : privateKeyToAddress(hexToBytes(t.secretKey ?? "", "secretKey"));
  if (idx.data >= t.data.length || idx.gas >= t.gasLimit.length || idx.value >= t.value.length) {
    throw new Error(`indexes ${JSON.stringify(idx)} out of range of the transaction's lists`);
  }
  return {
    type,
    nonce: hexToBigInt(t.nonce, "nonce"),
    gasLimit: hexToBigInt(t.gasLimit[idx.gas], "gasLimit"),
    gasPrice: t.gasPrice !== undefined ? hexToBigInt(t.gasPrice, "gasPrice") : undefined,
    maxFeePerGas: t.maxFeePerGas !== undefined ? hexToBigInt(t.maxFeePerGas, "maxFeePerGas") : undefined,
    maxPriorityFeePerGas: t.maxPriorityFeePerGas !== undefined ? hexToBigInt(t.maxPriorityFeePerGas, "maxPriorityFeePerGas") : undefined,
    to: t.to === "" || t.to === undefined || t.to === null ? undefined : hexToBigInt(t.to, "to"),
    value: hexToBigInt(t.value[idx.value], "value"),
    data: hexToBytes(t.data[idx.data], "data"),
    accessList: (accessList ?? []).map((e) => ({
      address: hexToBigInt(e.address, "access list address"),
      storageKeys: e.storageKeys.map((k) => hexToBigInt(k, "access list key")),
    })),
    maxFeePerBlobGas: t.maxFeePerBlobGas !== undefined ? hexToBigInt(t.maxFeePerBlobGas, "maxFeePerBlobGas") : undefined,
    blobVersionedHashes: t.blobVersionedHashes?.map((h) => hexToBigInt(h, "blob versioned hash")),
    authorizationList: t.authorizationList?.map((a) => ({
      chainId: hexToBigInt(a.chainId, "authorization chainId"),
      address: hexToBigInt(a.address, "authorization address"),
      nonce: hexToBigInt(a.nonce, "authorization nonce"),
      yParity: hexToBigInt(a.yParity ?? a.v ?? "0x0", "authorization yParity"),
      r: hexToBigInt(a.r, "authorization r"),
      s: hexToBigInt(a.s, "authorization s"),
    })),
    sender,
  };
}
