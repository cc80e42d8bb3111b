/** Transactions of every type, as the EVM needs them (already decoded, sender known). */

export interface AccessListEntry {
  address: bigint;
  storageKeys: bigint[];
}

export interface Authorization {
  chainId: bigint;
  address: bigint;
  nonce: bigint;
  yParity: bigint;
  r: bigint;
  s: bigint;
}

export const TxType = { Legacy: 0, AccessList: 1, FeeMarket: 2, Blob: 3, SetCode: 4 } as const;
export type TxType = (typeof TxType)[keyof typeof TxType];

export interface Transaction {
  type: TxType;
  chainId?: bigint;
  nonce: bigint;
  gasLimit: bigint;
  /** Legacy and access-list transactions. */
  gasPrice?: bigint;
  /** EIP-1559 and later. */
  maxFeePerGas?: bigint;
  maxPriorityFeePerGas?: bigint;
  /** undefined: contract creation. */
  to?: bigint;
  value: bigint;
  data: Uint8Array;
  accessList: AccessListEntry[];
  maxFeePerBlobGas?: bigint;
  blobVersionedHashes?: bigint[];
  authorizationList?: Authorization[];
  sender: bigint;
}
