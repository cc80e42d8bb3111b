/** Block and transaction environment as the EVM sees them. */

export interface BlockEnv {
  coinbase: bigint;
  number: bigint;
  timestamp: bigint;
  gasLimit: bigint;
  difficulty: bigint;
  prevRandao: bigint;
  baseFee: bigint;
  blobBaseFee: bigint;
  chainId: bigint;
  /** Hash of an earlier block, or 0 when unknown / out of the 256-block window. */
  blockHash(number: bigint): bigint;
  /** anvil_impersonateSignature: ecrecover answers these addresses for these signatures (hex of r || s || v). */
  ecrecoverOverrides?: ReadonlyMap<string, bigint>;
}

export interface TxEnv {
  origin: bigint;
  gasPrice: bigint;
  blobHashes: bigint[];
}
