/**
 * Fork rules as data: one table per hardfork, each written as the changes
 * over its predecessor (static gas per opcode comes from the opcode table,
 * opcodes.ts). Both backends and the transaction layer read these.
 */
import { Fork, type ForkId, FORK_NAMES } from "./fork.ts";
import { Op, staticGasTable, WARM_STORAGE_READ_GAS } from "./opcodes.ts";

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
  readonly codeDepositGasPerByte: number;
  readonly homesteadCreateFailure: boolean; // code deposit out of gas fails the creation
  readonly rejectEfCode: boolean; // EIP-3541
  readonly sstoreRule: "frontier" | "eip1283" | "eip2200";
  readonly sstoreSetGas: number;
  readonly sstoreResetGas: number;
  readonly sstoreClearRefund: number;
  readonly sstoreSentryGas: number; // EIP-2200: SSTORE fails if gas left <= this
  readonly sloadGas: number; // SLOAD's static gas (the warm read under EIP-2929), from the opcode table
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

const SSTORE_RESET_GAS = 5000;
const COLD_SLOAD_GAS = 2100;

const FRONTIER_GAS = staticGasTable(Fork.Frontier);

const frontier: ForkRules = {
  id: Fork.Frontier,
  name: "Frontier",
  staticGas: FRONTIER_GAS,
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
  codeDepositGasPerByte: 200,
  homesteadCreateFailure: false,
  rejectEfCode: false,
  sstoreRule: "frontier",
  sstoreSetGas: 20000,
  sstoreResetGas: SSTORE_RESET_GAS,
  sstoreClearRefund: 15000,
  sstoreSentryGas: 0,
  sloadGas: FRONTIER_GAS[Op.SLOAD],
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

function derive(parent: ForkRules, id: ForkId, changes: Partial<Mutable<ForkRules>>): ForkRules {
  const staticGas = staticGasTable(id);
  return Object.freeze({ ...parent, ...changes, id, name: FORK_NAMES[id], staticGas, sloadGas: staticGas[Op.SLOAD] });
}

const homestead = derive(frontier, Fork.Homestead, { txCreateGas: 32000, homesteadCreateFailure: true });

const tangerineWhistle = derive(homestead, Fork.TangerineWhistle, { eip150: true });

const spuriousDragon = derive(tangerineWhistle, Fork.SpuriousDragon, {
  eip155: true,
  eip158: true,
  expByteGas: 50,
  maxCodeSize: 24576,
});

const byzantium = derive(spuriousDragon, Fork.Byzantium, {});

const constantinople = derive(byzantium, Fork.Constantinople, { sstoreRule: "eip1283" });

const petersburg = derive(constantinople, Fork.Petersburg, { sstoreRule: "frontier" });

const istanbul = derive(petersburg, Fork.Istanbul, {
  txDataNonZeroGas: 16,
  sstoreRule: "eip2200",
  sstoreSentryGas: 2300,
});

const berlin = derive(istanbul, Fork.Berlin, {
  txTypes: new Set([0, 1]),
  accessLists: true,
  coldSloadGas: COLD_SLOAD_GAS,
  coldAccountAccessGas: 2600,
  warmStorageReadGas: WARM_STORAGE_READ_GAS,
  sstoreResetGas: SSTORE_RESET_GAS - COLD_SLOAD_GAS, // EIP-2929: the cold surcharge is charged apart
});

const london = derive(berlin, Fork.London, {
  txTypes: new Set([0, 1, 2]),
  eip1559: true,
  maxRefundQuotient: 5,
  sstoreClearRefund: 4800,
  selfdestructRefund: 0,
  rejectEfCode: true,
});

const paris = derive(london, Fork.Paris, { prevRandao: true });

const shanghai = derive(paris, Fork.Shanghai, {
  initcodeLimit: 2 * 24576,
  initcodeWordGas: 2,
  warmCoinbase: true,
});

const cancun = derive(shanghai, Fork.Cancun, {
  txTypes: new Set([0, 1, 2, 3]),
  selfdestructOnlyInSameTx: true,
  blobBaseFeeUpdateFraction: 3338477n,
  blobTargetPerBlock: 3,
  blobMaxPerBlock: 6,
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
});

const ALL_RULES: readonly ForkRules[] = [
  frontier, homestead, tangerineWhistle, spuriousDragon, byzantium, constantinople, petersburg, istanbul,
  berlin, london, paris, shanghai, cancun, prague, osaka,
];

export function rulesFor(fork: ForkId): ForkRules {
  return ALL_RULES[fork];
}
