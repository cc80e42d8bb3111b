/** Exceptional halts named as anvil (revm) names them in its "EVM error <Name>" messages. */
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

export function haltName(error: string | undefined): string {
  if (!error) return "Unknown";
  for (const [prefix, name] of BY_PREFIX) if (error.startsWith(prefix)) return name;
  return "PrecompileError";
}

export function isOutOfGas(error: string | undefined): boolean {
  return error !== undefined && error.startsWith("out of gas");
}
