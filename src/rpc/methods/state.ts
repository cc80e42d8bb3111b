/** Account state at a block: balances, code, storage, nonces, proofs. */
import { bigIntToHex, bytesToHex, hexAddress, hexWord } from "../../primitives/hex.ts";
import { EMPTY_CODE_HASH } from "../../primitives/hash.ts";
import { EMPTY_TRIE_ROOT } from "../../state/trie.ts";
import type { BlockRef } from "../../chain/chain.ts";
import { address, array, blockRef, object, type Params, storageKey, word } from "../params.ts";
import type { MethodTable, RpcContext } from "../context.ts";
import { ErrorCode, InvalidParamsError, RpcError } from "../errors.ts";

const LATEST: BlockRef = { tag: "latest" };

function stateAt(p: Params, index: number, ctx: RpcContext) {
  return ctx.chain.resolve(p.optional(index, "block", blockRef) ?? LATEST).state;
}

export const MAX_PROOF_KEYS = 1024;
/** eth_getStorageValues: at most this many slots in all (geth's limit). */
export const MAX_STORAGE_VALUES = 1024;

export const stateMethods: MethodTable = {
  eth_getBalance: (p, ctx) => {
    p.atMost(2);
    const a = p.required(0, "address", address);
    return bigIntToHex(stateAt(p, 1, ctx).getBalance(a));
  },
  eth_getCode: (p, ctx) => {
    p.atMost(2);
    const a = p.required(0, "address", address);
    return bytesToHex(stateAt(p, 1, ctx).getCode(a));
  },
  eth_getStorageAt: (p, ctx) => {
    p.atMost(3);
    const a = p.required(0, "address", address);
    const slot = p.required(1, "slot", storageKey).key;
    return hexWord(stateAt(p, 2, ctx).getStorage(a, slot));
  },
  eth_getTransactionCount: (p, ctx) => {
    p.atMost(2);
    const a = p.required(0, "address", address);
    const ref = p.optional(1, "block", blockRef) ?? LATEST;
    if ("tag" in ref && ref.tag === "pending") return bigIntToHex(ctx.chain.nextNonce(a));
    return bigIntToHex(ctx.chain.resolve(ref).state.getNonce(a));
  },
  /** anvil's (and forge's) one-round-trip account read. */
  eth_getAccountInfo: (p, ctx) => {
    p.atMost(2);
    const a = p.required(0, "address", address);
    const s = stateAt(p, 1, ctx);
    return { balance: bigIntToHex(s.getBalance(a)), nonce: bigIntToHex(s.getNonce(a)), code: bytesToHex(s.getCode(a)) };
  },
  eth_getAccount: (p, ctx) => {
    p.atMost(2);
    const a = p.required(0, "address", address);
    const { block, state } = ctx.chain.resolve(p.optional(1, "block", blockRef) ?? LATEST);
    const acc = state.getAccount(a);
    return {
      balance: bigIntToHex(acc?.balance ?? 0n),
      nonce: bigIntToHex(acc?.nonce ?? 0n),
      // An absent account reads as an empty one, as anvil answers (and eth_getProof does).
      codeHash: bytesToHex(acc ? acc.codeHash : EMPTY_CODE_HASH),
      storageRoot: bytesToHex(acc ? ctx.chain.storageRoot(block.header.number, a) : EMPTY_TRIE_ROOT),
    };
  },
  /** Many slots of many accounts in one request: { address: [slot, ...] } -> { address: [value, ...] }. */
  eth_getStorageValues: (p, ctx) => {
    p.atMost(2);
    const requests = p.required(0, "requests", object);
    const parsed: [bigint, bigint[]][] = [];
    let total = 0;
    for (const [addr, keys] of Object.entries(requests)) {
      const slots = array(keys, `requests[${addr}]`).map((k, i) => word(k, `requests[${addr}][${i}]`));
      total += slots.length;
      if (total > MAX_STORAGE_VALUES) {
        throw new RpcError(ErrorCode.ClientLimitExceeded, `too many slots (max ${MAX_STORAGE_VALUES})`);
      }
      parsed.push([address(addr, "requests key"), slots]);
    }
    if (total === 0) throw new InvalidParamsError("empty request");
    const s = stateAt(p, 1, ctx);
    const out: Record<string, string[]> = {};
    for (const [a, slots] of parsed) out[hexAddress(a)] = slots.map((slot) => hexWord(s.getStorage(a, slot)));
    return out;
  },
  eth_getProof: (p, ctx) => {
    p.atMost(3);
    const a = p.required(0, "address", address);
    const given = p.required(1, "storageKeys", array).map((k, i) => storageKey(k, `storageKeys[${i}]`));
    const keys = given.map((k) => k.key);
    if (keys.length > MAX_PROOF_KEYS) {
      throw new InvalidParamsError(`invalid storageKeys: at most ${MAX_PROOF_KEYS} keys`);
    }
    const { block } = ctx.chain.resolve(p.optional(2, "block", blockRef) ?? LATEST);
    const proof = ctx.chain.proof(block.header.number, a, keys);
    return {
      address: hexAddress(a),
      balance: bigIntToHex(proof.balance),
      codeHash: bytesToHex(proof.codeHash),
      nonce: bigIntToHex(proof.nonce),
      storageHash: bytesToHex(proof.storageHash),
      accountProof: proof.accountProof.map(bytesToHex),
      storageProof: proof.storageProof.map((sp, i) => ({
        // A key given as 32 bytes comes back as given; a shorter one as a quantity (as geth answers).
        key: given[i].bytes === 32 ? hexWord(sp.key) : bigIntToHex(sp.key),
        value: bigIntToHex(sp.value),
        proof: sp.proof.map(bytesToHex),
      })),
    };
  },
};
