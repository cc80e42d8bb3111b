/** Why the pool refuses a transaction, in the words anvil and geth use (clients match on them). */
import type { InvalidTransactionError, InvalidTxReason } from "../tx/errors.ts";
import { ChainError, ChainInputError, GasLimitTooHighError, TransactionRejectedError } from "./errors.ts";

const MESSAGES: Partial<Record<InvalidTxReason, string>> = {
  NONCE_MISMATCH_TOO_LOW: "nonce too low",
  NONCE_MISMATCH_TOO_HIGH: "Nonce too high",
  NONCE_IS_MAX: "nonce has max value",
  INSUFFICIENT_ACCOUNT_FUNDS: "Insufficient funds for gas * price + value",
  INTRINSIC_GAS_TOO_LOW: "intrinsic gas too low",
  INTRINSIC_GAS_BELOW_FLOOR_GAS_COST: "intrinsic gas too low",
  INSUFFICIENT_MAX_FEE_PER_GAS: "max fee per gas less than block base fee",
  PRIORITY_GREATER_THAN_MAX_FEE_PER_GAS: "max priority fee per gas higher than max fee per gas",
  SENDER_NOT_EOA: "sender not an eoa",
  INITCODE_SIZE_EXCEEDED: "max initcode size exceeded",
  TYPE_3_TX_ZERO_BLOBS: "There should be at least one blob in a Blob transaction.",
  TYPE_3_TX_INVALID_BLOB_VERSIONED_HASH: "Blob transaction contains a versioned hash with an incorrect version",
  TYPE_3_TX_CONTRACT_CREATION: "Blob transaction can't be a create transaction. `to` must be present.",
  INSUFFICIENT_MAX_FEE_PER_BLOB_GAS: "Block `blob_gas_price` is greater than tx-specified `max_fee_per_blob_gas`",
  TYPE_4_EMPTY_AUTHORIZATION_LIST: "empty authorization list",
  VALUE_OVERFLOW: "gas uint64 overflow",
};

export function rejectionFor(e: InvalidTransactionError, gasLimit: bigint, blockGasLimit: bigint): ChainError {
  switch (e.reason) {
    case "GAS_ALLOWANCE_EXCEEDED":
    case "GAS_LIMIT_EXCEEDS_MAXIMUM":
      return new GasLimitTooHighError(`intrinsic gas too high -- tx.gas_limit > env.block.gas_limit`, {
        details: `gas limit ${gasLimit}, block gas limit ${blockGasLimit}`,
      });
    case "TYPE_NOT_SUPPORTED":
      return new ChainInputError("transaction type not supported", { details: e.message });
    default:
      return new TransactionRejectedError(MESSAGES[e.reason] ?? e.message, { details: e.message });
  }
}
