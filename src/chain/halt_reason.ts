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

/** Opcodes added after Frontier: revm names one that the running fork lacks NotActivated, not OpcodeNotFound. */
const LATER_OPCODES = new Set([
  ...[0xf4], // Homestead: DELEGATECALL
  ...[0x3d, 0x3e, 0xfa, 0xfd], // Byzantium: RETURNDATASIZE, RETURNDATACOPY, STATICCALL, REVERT
  ...[0x1b, 0x1c, 0x1d, 0x3f, 0xf5], // Constantinople: SHL, SHR, SAR, EXTCODEHASH, CREATE2
  ...[0x46, 0x47], // Istanbul: CHAINID, SELFBALANCE
  ...[0x48], // London: BASEFEE
  ...[0x5f], // Shanghai: PUSH0
  ...[0x49, 0x4a, 0x5c, 0x5d, 0x5e], // Cancun: BLOBHASH, BLOBBASEFEE, TLOAD, TSTORE, MCOPY
  ...[0x1e], // Osaka: CLZ
]);

export function haltName(error: string | undefined): string {
  if (!error) return "Unknown";
  const op = /^invalid opcode 0x([0-9a-f]{2})$/.exec(error);
  if (op && LATER_OPCODES.has(parseInt(op[1], 16))) return "NotActivated";
  for (const [prefix, name] of BY_PREFIX) if (error.startsWith(prefix)) return name;
  return "PrecompileError";
}

export function isOutOfGas(error: string | undefined): boolean {
  return error !== undefined && error.startsWith("out of gas");
}
