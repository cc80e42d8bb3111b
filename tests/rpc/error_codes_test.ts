/** Each class of chain error answers with its JSON-RPC code, message and data. */
import assert from "node:assert/strict";
import {
  ChainError,
  ChainInputError,
  ExecutionHaltedError,
  ExecutionRevertedError,
  GasLimitTooHighError,
  LimitExceededError,
  SimulationRejectedError,
  SnapshotNotFoundError,
  StateUnavailableError,
  TransactionRejectedError,
  UnknownBlockError,
  UnsupportedError,
} from "../../src/chain/errors.ts";
import { InsufficientFundsError } from "../../src/chain/call_request.ts";
import { FilterNotFoundError } from "../../src/chain/filters.ts";
import { TraceLimitError } from "../../src/trace/limits.ts";
import { simulatedCallError, toErrorObject } from "../../src/rpc/errors.ts";

Deno.test("chain errors: each class maps to its code, with details appended except for the pool's rejections", () => {
  const cases: [ChainError, number, string][] = [
    [new ChainError("account 0x01 is not a precompile"), -32000, "account 0x01 is not a precompile"],
    [new TransactionRejectedError("nonce too low", { details: "tx nonce 1, state 2" }), -32003, "nonce too low"],
    [new InsufficientFundsError("balance 0"), -32003, "Insufficient funds for gas * price + value"],
    [new UnknownBlockError("no block 7"), -32001, "unknown block: no block 7"],
    [new StateUnavailableError(3n), -32000, "state of block 3 is not available"],
    [
      new ChainInputError("transaction type not supported", { details: "type 9" }),
      -32602,
      "transaction type not supported: type 9",
    ],
    [new SnapshotNotFoundError(10n), -32602, "snapshot 0xa not found"],
    [
      new GasLimitTooHighError("intrinsic gas too high", { details: "gas limit 2" }),
      -32000,
      "intrinsic gas too high: gas limit 2",
    ],
    [new LimitExceededError("too many installed filters"), -32000, "too many installed filters"],
    [new TraceLimitError("trace too large"), -32000, "trace too large"],
    [new FilterNotFoundError(), -32000, "filter not found"],
    [
      new UnsupportedError("Unable to set ERC20 balance, no slot found"),
      -32603,
      "Unable to set ERC20 balance, no slot found",
    ],
    [new ExecutionHaltedError("OutOfGas"), -32603, "EVM error OutOfGas"],
    [new SimulationRejectedError("NonceTooLow", "nonce too low"), -38010, "nonce too low"],
    [new SimulationRejectedError("BlockGasLimitReached", "block gas limit reached"), -38015, "block gas limit reached"],
    [new SimulationRejectedError("ClientLimitExceeded", "too many blocks"), -38026, "too many blocks"],
    [new SimulationRejectedError("InvalidParams", "empty input"), -32602, "empty input"],
    [new SimulationRejectedError("InternalError", "nonce has max value"), -32603, "nonce has max value"],
  ];
  for (const [e, code, message] of cases) assert.deepEqual(toErrorObject(e), { code, message }, e.name);
});

Deno.test("chain errors: a revert is code 3 with its data; a simulated call's halt is -32015 with the halt's name", () => {
  const revert = new ExecutionRevertedError(new Uint8Array([0xde, 0xad]), "no");
  const expected = { code: 3, message: "execution reverted: no", data: "0xdead" };
  assert.deepEqual(toErrorObject(revert), expected);
  assert.deepEqual(simulatedCallError(revert), expected);
  assert.deepEqual(simulatedCallError(new ExecutionRevertedError(new Uint8Array(0), undefined)), {
    code: 3,
    message: "execution reverted",
    data: "0x",
  });
  assert.deepEqual(simulatedCallError(new ExecutionHaltedError("OutOfGas")), { code: -32015, message: "OutOfGas" });
});
