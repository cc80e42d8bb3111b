/** web3_, net_ and the eth_ methods that describe the node rather than the chain state. */
import { bigIntToHex, bytesToHex, hexAddress } from "../../primitives/hex.ts";
import { keccak256 } from "../../primitives/hash.ts";
import { data, type Params } from "../params.ts";
import type { MethodTable, RpcContext } from "../context.ts";
import { ErrorCode, RpcError } from "../errors.ts";

function accounts(p: Params, { chain }: RpcContext): string[] {
  p.atMost(0);
  const list = chain.devAccounts.map((a) => a.address);
  for (const a of chain.impersonated) if (!list.includes(a)) list.push(a);
  return list.map(hexAddress);
}

export const nodeInfoMethods: MethodTable = {
  web3_clientVersion: (p, { info }) => (p.atMost(0), info.clientVersion),
  web3_sha3: (p) => bytesToHex(keccak256(p.atMost(1).required(0, "data", data))),
  net_version: (p, { chain }) => (p.atMost(0), chain.chainId.toString()),
  eth_networkId: (p, { chain }) => (p.atMost(0), chain.chainId.toString()),
  net_listening: (p) => (p.atMost(0), true),
  net_peerCount: (p) => (p.atMost(0), "0x0"),
  eth_chainId: (p, { chain }) => (p.atMost(0), bigIntToHex(chain.chainId)),
  eth_syncing: (p) => (p.atMost(0), false),
  eth_mining: (p, { chain }) => (p.atMost(0), chain.miningMode !== "manual"),
  eth_hashrate: (p) => (p.atMost(0), "0x0"),
  eth_coinbase: (p, { chain }) => (p.atMost(0), hexAddress(chain.coinbase)),
  eth_accounts: accounts,
  eth_requestAccounts: accounts,
  /** anvil answers 1, as a number. */
  eth_protocolVersion: (p) => (p.atMost(0), 1),
  // Proof-of-work mining: the chain is never mined by work, so there is none to hand out or take.
  eth_getWork: (p) => {
    p.atMost(0);
    throw new RpcError(ErrorCode.ServerError, "no mining work: this chain's blocks are not mined by proof of work");
  },
  eth_submitWork: (p) => (p.atMost(3), false),
  eth_submitHashrate: (p) => (p.atMost(2), false),
  /** Fork mode's upstream counters (requests, batches, round trips, cache hits); null on a plain dev chain. */
  evmwasm_upstreamStats: (p, { info }) => (p.atMost(0), info.fork ? info.fork.upstreamStats() : null),
};
