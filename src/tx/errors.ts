/** Why a transaction is invalid (it is rejected and the state is unchanged). */
export type InvalidTxReason =
  | "INTRINSIC_GAS_TOO_LOW"
  | "INTRINSIC_GAS_BELOW_FLOOR_GAS_COST"
  | "NONCE_IS_MAX"
  | "NONCE_MISMATCH_TOO_LOW"
  | "NONCE_MISMATCH_TOO_HIGH"
  | "INSUFFICIENT_ACCOUNT_FUNDS"
  | "INSUFFICIENT_MAX_FEE_PER_GAS"
  | "PRIORITY_GREATER_THAN_MAX_FEE_PER_GAS"
  | "GAS_ALLOWANCE_EXCEEDED"
  | "GAS_LIMIT_EXCEEDS_MAXIMUM"
  | "SENDER_NOT_EOA"
  | "INITCODE_SIZE_EXCEEDED"
  | "TYPE_NOT_SUPPORTED"
  | "TYPE_3_TX_ZERO_BLOBS"
  | "TYPE_3_TX_INVALID_BLOB_VERSIONED_HASH"
  | "TYPE_3_TX_BLOB_COUNT_EXCEEDED"
  | "TYPE_3_TX_MAX_BLOB_GAS_ALLOWANCE_EXCEEDED"
  | "INSUFFICIENT_MAX_FEE_PER_BLOB_GAS"
  | "TYPE_3_TX_CONTRACT_CREATION"
  | "TYPE_4_EMPTY_AUTHORIZATION_LIST"
  | "TYPE_4_TX_CONTRACT_CREATION"
  | "VALUE_OVERFLOW"
  | "INVALID_SIGNATURE";

export class InvalidTransactionError extends Error {
  override name = "InvalidTransactionError";
  constructor(readonly reason: InvalidTxReason, detail: string) {
    super(`invalid transaction (${reason}): ${detail}`);
  }
}
