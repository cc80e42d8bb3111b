/** Exceptional halts named as anvil (revm) names them in its "EVM error <Name>" messages. */
import { Fork } from "../forks/fork.ts";
import { OPCODES } from "../forks/opcodes.ts";

const BY_PREFIX: [string, string][] = [
  ["out of gas", "OutOfGas"],
  ["memory limit exceeded", "MemoryLimitOOG"],
  ["stack overflow", "StackOverflow"],
  ["stack underflow", "StackUnderflow"],
  ["state change in static context", "StateChangeDuringStaticCall"],
  ["invalid opcode 0xfe", "InvalidFEOpcode"],
  ["invalid opcode", "OpcodeNotFound"],
  ["invalid jump destination", "InvalidJump"],
  ["return data out of bounds", "OutOfOffset"],
  ["code size exceeds limit", "CreateContractSizeLimit"],
  ["code starts with 0xEF", "CreateContractStartingWithEF"],
  ["address collision", "CreateCollision"],
  ["native stack exhausted", "CallTooDeep"],
];

/** An opcode a fork after Frontier added: revm names one the running fork lacks NotActivated, not OpcodeNotFound. */
function addedAfterFrontier(op: number): boolean {
  const since = OPCODES[op]?.gas[0]?.[0];
  return since !== undefined && since > Fork.Frontier;
}

export function haltName(error: string | undefined): string {
  if (!error) return "Unknown";
  const op = /^invalid opcode 0x([0-9a-f]{2})$/.exec(error);
  if (op && addedAfterFrontier(parseInt(op[1], 16))) return "NotActivated";
  for (const [prefix, name] of BY_PREFIX) if (error.startsWith(prefix)) return name;
  return "PrecompileError";
}

export function isOutOfGas(error: string | undefined): boolean {
  return error !== undefined && error.startsWith("out of gas");
}
