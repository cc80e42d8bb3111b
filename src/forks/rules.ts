/**
 * Fork rules as data: one table per hardfork, each written as the changes
 * over its predecessor. Both backends and the transaction layer read these.
 */
import { Fork, type ForkId, FORK_NAMES } from "./fork.ts";
import { Op } from "./opcodes.ts";

export interface ForkRules {
  readonly id: ForkId;
  readonly name: string;
  /** Static gas per opcode; -1 where the opcode does not exist in this fork. */
  readonly staticGas: Int32Array;

  // Transaction-level
  readonly txGas: number;
  readonly txCreateGas: number; // extra for contract creation transactions
  readonly txDataZeroGas: number;
  readonly txDataNonZeroGas: number;
  readonly txAccessListAddressGas: number;
  readonly txAccessListStorageKeyGas: number;
  readonly txTypes: ReadonlySet<number>;
  readonly eip155: boolean;
  readonly eip1559: boolean;
  readonly maxRefundQuotient: number; // refund is capped at gasUsed / this
  readonly initcodeLimit: number; // 0: no limit (EIP-3860 from Shanghai)
  readonly initcodeWordGas: number;
  readonly maxCodeSize: number; // 0: no limit (EIP-170 from Spurious Dragon)
  readonly txGasLimitCap: number; // 0: none (EIP-7825 from Osaka)
  readonly calldataFloorGasPerToken: number; // 0: none (EIP-7623 from Prague)
  readonly maxBlobsPerTx: number; // 0: unlimited beyond the block maximum
  readonly senderMayHaveDelegation: boolean; // EIP-7702
  // Node settings a dev chain adds to its fork's rules (anvil's flags); absent from the fork tables.
  /** Most bytes of EVM memory the frames of one execution may hold together (--memory-limit). */
  readonly memoryLimit?: number;
  /** A transaction may ask for more gas than the block has left (--disable-block-gas-limit). */
  readonly ignoreBlockGasLimit?: boolean;

  // EVM
  readonly callStipend: number;
  readonly callValueTransferGas: number;
  readonly callNewAccountGas: number;
  readonly eip150: boolean; // all but one 64th; new-account charge for SELFDESTRUCT
  readonly eip158: boolean; // empty accounts: touched-and-empty are deleted
  readonly expByteGas: number;
  readonly createGas: number;
  readonly codeDepositGasPerByte: number;
  readonly homesteadCreateFailure: boolean; // code deposit out of gas fails the creation
  readonly rejectEfCode: boolean; // EIP-3541
  readonly sstoreRule: "frontier" | "eip1283" | "eip2200";
  readonly sstoreSetGas: number;
  readonly sstoreResetGas: number;
  readonly sstoreClearRefund: number;
  readonly sstoreSentryGas: number; // EIP-2200: SSTORE fails if gas left <= this
  readonly sloadGas: number; // warm read cost under EIP-2929, else SLOAD's price
  readonly selfdestructRefund: number;
  readonly selfdestructOnlyInSameTx: boolean; // EIP-6780
  readonly accessLists: boolean; // EIP-2929
  readonly coldSloadGas: number;
  readonly coldAccountAccessGas: number;
  readonly warmStorageReadGas: number;
  readonly warmCoinbase: boolean; // EIP-3651
  readonly prevRandao: boolean; // EIP-4399: opcode 0x44 reads the beacon chain's randomness, not the difficulty
  readonly setCodeTx: boolean; // EIP-7702
  readonly blobBaseFeeUpdateFraction: bigint;
  readonly blobTargetPerBlock: number;
  readonly blobMaxPerBlock: number;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const GAS_BASE = 2, GAS_VERYLOW = 3, GAS_LOW = 5, GAS_MID = 8, GAS_HIGH = 10;

function frontierStaticGas(): Int32Array {
  const g = new Int32Array(256).fill(-1);
  const set = (ops: number[], gas: number) => ops.forEach((o) => (g[o] = gas));
  set([Op.STOP], 0);
  set([Op.ADD, Op.SUB, Op.NOT, Op.LT, Op.GT, Op.SLT, Op.SGT, Op.EQ, Op.ISZERO, Op.AND, Op.OR, Op.XOR, Op.BYTE,
    Op.CALLDATALOAD, Op.MLOAD, Op.MSTORE, Op.MSTORE8], GAS_VERYLOW);
  set([Op.MUL, Op.DIV, Op.SDIV, Op.MOD, Op.SMOD, Op.SIGNEXTEND], GAS_LOW);
  set([Op.ADDMOD, Op.MULMOD, Op.JUMP], GAS_MID);
  set([Op.EXP, Op.JUMPI], GAS_HIGH);
  set([Op.KECCAK256], 30);
  set([Op.ADDRESS, Op.ORIGIN, Op.CALLER, Op.CALLVALUE, Op.CALLDATASIZE, Op.CODESIZE, Op.GASPRICE, Op.COINBASE,
    Op.TIMESTAMP, Op.NUMBER, Op.PREVRANDAO, Op.GASLIMIT, Op.POP, Op.PC, Op.MSIZE, Op.GAS], GAS_BASE);
  set([Op.CALLDATACOPY, Op.CODECOPY], GAS_VERYLOW);
  set([Op.BALANCE, Op.EXTCODESIZE, Op.EXTCODECOPY], 20);
  set([Op.BLOCKHASH], 20);
  set([Op.SLOAD], 50);
  set([Op.SSTORE], 0); // wholly dynamic
  set([Op.JUMPDEST], 1);
  for (let i = 0; i < 32; i++) g[Op.PUSH1 + i] = GAS_VERYLOW;
  for (let i = 0; i < 16; i++) g[Op.DUP1 + i] = GAS_VERYLOW, g[Op.SWAP1 + i] = GAS_VERYLOW;
  for (let i = 0; i <= 4; i++) g[Op.LOG0 + i] = 375 * (i + 1);
  set([Op.CREATE], 32000);
  set([Op.CALL, Op.CALLCODE], 40);
  set([Op.RETURN], 0);
  set([Op.SELFDESTRUCT], 0);
  set([Op.INVALID], 0);
  return g;
}

const frontier: ForkRules = {
  id: Fork.Frontier,
  name: "Frontier",
  staticGas: frontierStaticGas(),
  txGas: 21000,
  txCreateGas: 0,
  txDataZeroGas: 4,
  txDataNonZeroGas: 68,
  txAccessListAddressGas: 2400,
  txAccessListStorageKeyGas: 1900,
  txTypes: new Set([0]),
  eip155: false,
  eip1559: false,
  maxRefundQuotient: 2,
  initcodeLimit: 0,
  initcodeWordGas: 0,
  maxCodeSize: 0,
  txGasLimitCap: 0,
  calldataFloorGasPerToken: 0,
  maxBlobsPerTx: 0,
  senderMayHaveDelegation: false,
  callStipend: 2300,
  callValueTransferGas: 9000,
  callNewAccountGas: 25000,
  eip150: false,
  eip158: false,
  expByteGas: 10,
  createGas: 32000,
  codeDepositGasPerByte: 200,
  homesteadCreateFailure: false,
  rejectEfCode: false,
  sstoreRule: "frontier",
  sstoreSetGas: 20000,
  sstoreResetGas: 5000,
  sstoreClearRefund: 15000,
  sstoreSentryGas: 0,
  sloadGas: 50,
  selfdestructRefund: 24000,
  selfdestructOnlyInSameTx: false,
  accessLists: false,
  coldSloadGas: 0,
  coldAccountAccessGas: 0,
  warmStorageReadGas: 0,
  warmCoinbase: false,
  prevRandao: false,
  setCodeTx: false,
  blobBaseFeeUpdateFraction: 0n,
  blobTargetPerBlock: 0,
  blobMaxPerBlock: 0,
};

function derive(
  parent: ForkRules,
  id: ForkId,
  changes: Partial<Mutable<ForkRules>>,
  gas: (g: Int32Array) => void = () => {},
): ForkRules {
  const staticGas = new Int32Array(parent.staticGas);
  gas(staticGas);
  return Object.freeze({ ...parent, ...changes, id, name: FORK_NAMES[id], staticGas });
}

const homestead = derive(frontier, Fork.Homestead, { txCreateGas: 32000, homesteadCreateFailure: true },
  (g) => (g[Op.DELEGATECALL] = 40));

const tangerineWhistle = derive(homestead, Fork.TangerineWhistle, { eip150: true, sloadGas: 200 }, (g) => {
  g[Op.BALANCE] = 400;
  g[Op.EXTCODESIZE] = 700;
  g[Op.EXTCODECOPY] = 700;
  g[Op.SLOAD] = 200;
  g[Op.CALL] = g[Op.CALLCODE] = g[Op.DELEGATECALL] = 700;
  g[Op.SELFDESTRUCT] = 5000;
});

const spuriousDragon = derive(tangerineWhistle, Fork.SpuriousDragon, {
  eip155: true,
  eip158: true,
  expByteGas: 50,
  maxCodeSize: 24576,
});

const byzantium = derive(spuriousDragon, Fork.Byzantium, {}, (g) => {
  g[Op.REVERT] = 0;
  g[Op.RETURNDATASIZE] = GAS_BASE;
  g[Op.RETURNDATACOPY] = GAS_VERYLOW;
  g[Op.STATICCALL] = 700;
});

const constantinople = derive(byzantium, Fork.Constantinople, { sstoreRule: "eip1283" }, (g) => {
  g[Op.SHL] = g[Op.SHR] = g[Op.SAR] = GAS_VERYLOW;
  g[Op.CREATE2] = 32000;
  g[Op.EXTCODEHASH] = 400;
});

const petersburg = derive(constantinople, Fork.Petersburg, { sstoreRule: "frontier" });

const istanbul = derive(petersburg, Fork.Istanbul, {
  txDataNonZeroGas: 16,
  sstoreRule: "eip2200",
  sstoreSentryGas: 2300,
  sloadGas: 800,
}, (g) => {
  g[Op.SLOAD] = 800;
  g[Op.BALANCE] = 700;
  g[Op.EXTCODEHASH] = 700;
  g[Op.CHAINID] = GAS_BASE;
  g[Op.SELFBALANCE] = GAS_LOW;
});

const berlin = derive(istanbul, Fork.Berlin, {
  txTypes: new Set([0, 1]),
  accessLists: true,
  coldSloadGas: 2100,
  coldAccountAccessGas: 2600,
  warmStorageReadGas: 100,
  sloadGas: 100,
  sstoreResetGas: 5000 - 2100,
}, (g) => {
  // Under EIP-2929 these cost the warm price up front; the cold surcharge is dynamic.
  for (const op of [Op.SLOAD, Op.BALANCE, Op.EXTCODESIZE, Op.EXTCODECOPY, Op.EXTCODEHASH, Op.CALL, Op.CALLCODE,
    Op.DELEGATECALL, Op.STATICCALL]) g[op] = 100;
});

const london = derive(berlin, Fork.London, {
  txTypes: new Set([0, 1, 2]),
  eip1559: true,
  maxRefundQuotient: 5,
  sstoreClearRefund: 4800,
  selfdestructRefund: 0,
  rejectEfCode: true,
}, (g) => (g[Op.BASEFEE] = GAS_BASE));

const paris = derive(london, Fork.Paris, { prevRandao: true });

const shanghai = derive(paris, Fork.Shanghai, {
  initcodeLimit: 2 * 24576,
  initcodeWordGas: 2,
  warmCoinbase: true,
}, (g) => (g[Op.PUSH0] = GAS_BASE));

const cancun = derive(shanghai, Fork.Cancun, {
  txTypes: new Set([0, 1, 2, 3]),
  selfdestructOnlyInSameTx: true,
  blobBaseFeeUpdateFraction: 3338477n,
  blobTargetPerBlock: 3,
  blobMaxPerBlock: 6,
}, (g) => {
  g[Op.TLOAD] = 100;
  g[Op.TSTORE] = 100;
  g[Op.MCOPY] = GAS_VERYLOW;
  g[Op.BLOBHASH] = GAS_VERYLOW;
  g[Op.BLOBBASEFEE] = GAS_BASE;
});

const prague = derive(cancun, Fork.Prague, {
  txTypes: new Set([0, 1, 2, 3, 4]),
  calldataFloorGasPerToken: 10,
  setCodeTx: true,
  senderMayHaveDelegation: true,
  blobBaseFeeUpdateFraction: 5007716n,
  blobTargetPerBlock: 6,
  blobMaxPerBlock: 9,
});

const osaka = derive(prague, Fork.Osaka, {
  txGasLimitCap: 1 << 24,
  maxBlobsPerTx: 6,
}, (g) => (g[Op.CLZ] = GAS_LOW));

const ALL_RULES: readonly ForkRules[] = [
  frontier, homestead, tangerineWhistle, spuriousDragon, byzantium, constantinople, petersburg, istanbul,
  berlin, london, paris, shanghai, cancun, prague, osaka,
];

export function rulesFor(fork: ForkId): ForkRules {
  return ALL_RULES[fork];
}
