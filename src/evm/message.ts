/** What a call frame is asked to do, and what it gives back. */

export const CallKind = {
  Call: 0,
  CallCode: 1,
  DelegateCall: 2,
  StaticCall: 3,
  Create: 4,
  Create2: 5,
} as const;
export type CallKind = (typeof CallKind)[keyof typeof CallKind];

export interface Message {
  kind: CallKind;
  /** msg.sender */
  caller: bigint;
  /** The account whose storage and balance the code acts on. */
  address: bigint;
  /** Where the code came from (differs from `address` for CALLCODE/DELEGATECALL and delegated EOAs). */
  codeAddress: bigint;
  /** msg.value as the code sees it (a DELEGATECALL keeps its parent's). */
  value: bigint;
  /** Whether `value` moves from caller to address on entry. */
  transfersValue: boolean;
  input: Uint8Array;
  gas: bigint;
  isStatic: boolean;
  depth: number;
  code: Uint8Array;
  /** EIP-7702: code reached through a delegation never runs a precompile. */
  disablePrecompiles: boolean;
}

export type ExecStatus = "success" | "revert" | "halt";

export interface ExecResult {
  status: ExecStatus;
  gasLeft: bigint;
  output: Uint8Array;
  /** Why an exceptional halt happened (out of gas, invalid opcode, ...). */
  error?: string;
  /** For creations that succeeded. */
  createdAddress?: bigint;
}

/** Thrown inside a frame for an exceptional halt: all the frame's gas is consumed and its changes undone. */
export class EvmHalt extends Error {
  override name = "EvmHalt";
}
