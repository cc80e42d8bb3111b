/** web3_, net_ and the eth_ methods that describe the node rather than the chain state. */
import { bigIntToHex, bytesToHex } from "../../primitives/hex.ts";
import { keccak256 } from "../../primitives/hash.ts";
import { hexAddress } from "../format.ts";
import { data } from "../params.ts";
import type { MethodTable } from "../context.ts";

export const nodeInfoMethods: MethodTable = {
  web3_clientVersion: (p, { info }) => (p.atMost(0), info.clientVersion),
  web3_sha3: (p) => bytesToHex(keccak256(p.atMost(1).required(0, "data", data))),
  net_version: (p, { chain }) => (p.atMost(0), chain.chainId.toString()),
  net_listening: (p) => (p.atMost(0), true),
  net_peerCount: (p) => (p.atMost(0), "0x0"),
  eth_chainId: (p, { chain }) => (p.atMost(0), bigIntToHex(chain.chainId)),
  eth_syncing: (p) => (p.atMost(0), false),
  eth_mining: (p, { chain }) => (p.atMost(0), chain.miningMode !== "manual"),
  eth_hashrate: (p) => (p.atMost(0), "0x0"),
  eth_coinbase: (p, { chain }) => (p.atMost(0), hexAddress(chain.coinbase)),
  eth_accounts: (p, { chain }) => {
    p.atMost(0);
    const accounts = chain.devAccounts.map((a) => a.address);
    for (const a of chain.impersonated) if (!accounts.includes(a)) accounts.push(a);
    return accounts.map(hexAddress);
  },
  eth_protocolVersion: (p) => (p.atMost(0), "0x44"),
  /** Fork mode's upstream counters (requests, batches, round trips, cache hits); null on a plain dev chain. */
  evmwasm_upstreamStats: (p, { info }) => (p.atMost(0), info.fork ? info.fork.upstreamStats() : null),
};
