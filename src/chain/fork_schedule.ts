/**
 * Which fork each block of a chain runs: forks activated by block number, by
 * the merge (terminal total difficulty or netsplit block) and by timestamp,
 * each with its blob schedule (the BPO forks of EIP-7892 change only that).
 * Built from a geth genesis `config` or from an EEST network name
 * ("Cancun", "CancunToPragueAtTime15k", "BerlinToLondonAt5", ...).
 */
import { BaseError } from "../errors/base.ts";
import { Fork, type ForkId } from "../forks/fork.ts";
import { type ForkRules, rulesFor } from "../forks/rules.ts";
import type { BlobSchedule } from "./fees.ts";
import type { ChainHardfork } from "./hardfork.ts";

export class ForkScheduleError extends BaseError {
  override name = "ForkScheduleError";
}

/** One step of the schedule. Entries are in fork order; the last active one decides the rules. */
export interface ForkActivation {
  /** As reported (anvil_nodeInfo, eth_config): "Cancun", "BPO1", "GrayGlacier", ... */
  name: string;
  /** The EVM rules (the glacier forks only delay the difficulty bomb; BPO forks are Osaka's EVM). */
  fork: ForkId;
  /** Active from this block number. */
  block?: bigint;
  /** Active from this block timestamp. */
  timestamp?: bigint;
  /** Active once the chain has merged (Paris). */
  merge?: boolean;
  /** Blob target, maximum and update fraction from this fork on (otherwise inherited). */
  blobSchedule?: BlobSchedule;
  /** Difficulty bomb delay in blocks from this fork on (EIP-649, 1234, 2384, 3554, 4345, 5133). */
  bombDelay?: bigint;
}

/** The forks a chain can be configured with, in order, with what each adds. */
interface KnownFork {
  name: string;
  aliases: string[];
  fork: ForkId;
  bombDelay?: bigint;
  blobSchedule?: BlobSchedule;
  /** Activated by timestamp in a geth config (Shanghai on). */
  byTime?: boolean;
}

const KNOWN_FORKS: KnownFork[] = [
  { name: "Frontier", aliases: [], fork: Fork.Frontier },
  { name: "Homestead", aliases: [], fork: Fork.Homestead },
  { name: "TangerineWhistle", aliases: ["EIP150", "Tangerine"], fork: Fork.TangerineWhistle },
  { name: "SpuriousDragon", aliases: ["EIP158", "EIP155", "Spurious"], fork: Fork.SpuriousDragon },
  { name: "Byzantium", aliases: [], fork: Fork.Byzantium, bombDelay: 3_000_000n },
  { name: "Constantinople", aliases: [], fork: Fork.Constantinople, bombDelay: 5_000_000n },
  { name: "Petersburg", aliases: ["ConstantinopleFix"], fork: Fork.Petersburg },
  { name: "Istanbul", aliases: [], fork: Fork.Istanbul },
  { name: "MuirGlacier", aliases: [], fork: Fork.Istanbul, bombDelay: 9_000_000n },
  { name: "Berlin", aliases: [], fork: Fork.Berlin },
  { name: "London", aliases: [], fork: Fork.London, bombDelay: 9_700_000n },
  { name: "ArrowGlacier", aliases: [], fork: Fork.London, bombDelay: 10_700_000n },
  { name: "GrayGlacier", aliases: [], fork: Fork.London, bombDelay: 11_400_000n },
  { name: "Paris", aliases: ["Merge"], fork: Fork.Paris },
  { name: "Shanghai", aliases: [], fork: Fork.Shanghai, byTime: true },
  {
    name: "Cancun",
    aliases: [],
    fork: Fork.Cancun,
    byTime: true,
    blobSchedule: { target: 3, max: 6, updateFraction: 3338477n },
  },
  {
    name: "Prague",
    aliases: [],
    fork: Fork.Prague,
    byTime: true,
    blobSchedule: { target: 6, max: 9, updateFraction: 5007716n },
  },
  {
    name: "Osaka",
    aliases: [],
    fork: Fork.Osaka,
    byTime: true,
    blobSchedule: { target: 6, max: 9, updateFraction: 5007716n },
  },
  {
    name: "BPO1",
    aliases: [],
    fork: Fork.Osaka,
    byTime: true,
    blobSchedule: { target: 10, max: 15, updateFraction: 8346193n },
  },
  {
    name: "BPO2",
    aliases: [],
    fork: Fork.Osaka,
    byTime: true,
    blobSchedule: { target: 14, max: 21, updateFraction: 11684671n },
  },
  { name: "BPO3", aliases: [], fork: Fork.Osaka, byTime: true },
  { name: "BPO4", aliases: [], fork: Fork.Osaka, byTime: true },
  { name: "BPO5", aliases: [], fork: Fork.Osaka, byTime: true },
];

const norm = (s: string) => s.toLowerCase().replace(/[\s_-]/g, "");

function knownFork(name: string): number {
  const key = norm(name).replace(/^osaka(?=bpo\d$)/, "");
  const i = KNOWN_FORKS.findIndex((k) => norm(k.name) === key || k.aliases.some((a) => norm(a) === key));
  if (i < 0) {
    throw new ForkScheduleError(`unknown fork "${name}"`, {
      details: `known forks: ${KNOWN_FORKS.map((k) => k.name).join(", ")}`,
    });
  }
  return i;
}

/**
 * A fork's facts by name (any case, or an alias): its EVM, its default blob schedule and the difficulty bomb
 * delay in effect from it on; undefined for a name the schedule does not know.
 */
export function forkFacts(
  name: string,
): { name: string; fork: ForkId; bombDelay: bigint; blobSchedule?: BlobSchedule } | undefined {
  const key = norm(name);
  const i = KNOWN_FORKS.findIndex((k) => norm(k.name) === key || k.aliases.some((a) => norm(a) === key));
  if (i < 0) return undefined;
  let bombDelay = 0n;
  for (const k of KNOWN_FORKS.slice(0, i + 1)) bombDelay = k.bombDelay ?? bombDelay;
  const k = KNOWN_FORKS[i];
  return { name: k.name, fork: k.fork, bombDelay, blobSchedule: k.blobSchedule };
}

export interface ForkScheduleOptions {
  /** The merge happens after the block whose total difficulty reaches this (0: merged from genesis). */
  terminalTotalDifficulty?: bigint;
  /** Or: blocks from this number on are post-merge. */
  mergeNetsplitBlock?: bigint;
  /** EIP-6110: the deposit contract whose logs become deposit requests (mainnet's when not given). */
  depositContract?: bigint;
  /** EIP-7825's per-transaction gas cap (true: as the protocol has it; a dev chain like anvil's leaves it off). */
  enforceTxGasLimitCap?: boolean;
  /**
   * Every fork block number and timestamp of the configuration (EIP-2124 fork ids hash them); by default those
   * of the activations.
   */
  forkPoints?: { blocks: bigint[]; times: bigint[] };
}

/** Mainnet's deposit contract, which the EEST fixtures use. */
export const MAINNET_DEPOSIT_CONTRACT = 0x00000000219ab540356cbb839cbe05303d7705fan;

export class ForkSchedule {
  readonly terminalTotalDifficulty?: bigint;
  readonly mergeNetsplitBlock?: bigint;
  readonly depositContract: bigint;
  private readonly resolved = new Map<number, ChainHardfork>();

  constructor(readonly activations: readonly ForkActivation[], private readonly options: ForkScheduleOptions = {}) {
    if (activations.length === 0) throw new ForkScheduleError("a fork schedule needs at least one fork");
    this.terminalTotalDifficulty = options.terminalTotalDifficulty;
    this.mergeNetsplitBlock = options.mergeNetsplitBlock;
    this.depositContract = options.depositContract ?? MAINNET_DEPOSIT_CONTRACT;
  }

  /** Whether a block with this number and parent total difficulty is past the merge. */
  isPostMerge(number: bigint, parentTotalDifficulty: bigint): boolean {
    if (this.terminalTotalDifficulty !== undefined) return parentTotalDifficulty >= this.terminalTotalDifficulty;
    if (this.mergeNetsplitBlock !== undefined) return number >= this.mergeNetsplitBlock;
    return false;
  }

  /** Index of the fork a block runs. */
  private indexAt(number: bigint, timestamp: bigint, merged: boolean): number {
    let active = 0;
    this.activations.forEach((a, i) => {
      const on = (a.block !== undefined && number >= a.block) ||
        (a.timestamp !== undefined && timestamp >= a.timestamp) ||
        (a.merge === true && merged);
      if (on) active = i;
    });
    return active;
  }

  /** The fork of a block with this number and timestamp, before or after the merge. */
  at(number: bigint, timestamp: bigint, merged: boolean): ChainHardfork {
    const i = this.indexAt(number, timestamp, merged);
    let hf = this.resolved.get(i);
    if (!hf) this.resolved.set(i, hf = this.resolve(i));
    return hf;
  }

  /** The first and last fork of the schedule (the genesis fork when everything starts at 0). */
  get last(): ChainHardfork {
    return this.at((1n << 64n) - 1n, (1n << 64n) - 1n, true);
  }

  private resolve(index: number): ChainHardfork {
    const entry = this.activations[index];
    let blobSchedule: BlobSchedule | undefined;
    let bombDelay = 0n;
    for (let i = 0; i <= index; i++) {
      const a = this.activations[i];
      if (a.blobSchedule) blobSchedule = a.blobSchedule;
      if (a.bombDelay !== undefined) bombDelay = a.bombDelay;
    }
    const base = rulesFor(entry.fork);
    if (entry.fork >= Fork.Cancun && !blobSchedule) {
      throw new ForkScheduleError(`fork ${entry.name} has no blob schedule`, {
        details: "give its target, max and baseFeeUpdateFraction in the blob schedule",
      });
    }
    const blobs = blobSchedule ?? { target: 0, max: 0, updateFraction: 0n };
    const rules: ForkRules = {
      ...base,
      txGasLimitCap: this.options.enforceTxGasLimitCap === false ? 0 : base.txGasLimitCap,
      blobTargetPerBlock: blobs.target,
      blobMaxPerBlock: blobs.max,
      blobBaseFeeUpdateFraction: blobs.updateFraction,
    };
    return { name: entry.name, fork: entry.fork, rules, blobSchedule: blobs, bombDelay };
  }

  /**
   * An EEST network: a fork name, or "<From>To<To>At<N>" (block N) / "<From>To<To>AtTime<N>[k]" (timestamp N,
   * k: thousands). `blobSchedules` by fork name (any case) overrides the default blob parameters.
   */
  static fromNetwork(
    network: string,
    blobSchedules: Record<string, BlobSchedule> = {},
    options: ForkScheduleOptions = {},
  ): ForkSchedule {
    const m = /^([A-Za-z0-9]+?)To([A-Za-z0-9]+?)At(Time)?(\d+)(k?)$/.exec(network.trim());
    const from = knownFork(m ? m[1] : network);
    const activations: ForkActivation[] = [];
    const blobsFor = (k: KnownFork): BlobSchedule | undefined => {
      for (const [name, s] of Object.entries(blobSchedules)) if (norm(name) === norm(k.name)) return s;
      return k.blobSchedule;
    };
    const push = (i: number, at: { block?: bigint; timestamp?: bigint; merge?: boolean }) => {
      const k = KNOWN_FORKS[i];
      activations.push({ name: k.name, fork: k.fork, bombDelay: k.bombDelay, blobSchedule: blobsFor(k), ...at });
    };
    for (let i = 0; i <= from; i++) push(i, KNOWN_FORKS[i].fork === Fork.Paris ? { merge: true } : { block: 0n });
    const paris = KNOWN_FORKS.findIndex((k) => k.fork === Fork.Paris);
    if (m) {
      const to = knownFork(m[2]);
      if (to <= from) throw new ForkScheduleError(`network ${network}: ${m[2]} does not come after ${m[1]}`);
      const n = BigInt(m[4]) * (m[5] ? 1000n : 1n);
      for (let i = from + 1; i <= to; i++) {
        if (i === paris) push(i, { merge: true });
        else push(i, m[3] ? { timestamp: n } : { block: n });
      }
    }
    // A network at Paris or later is merged from genesis.
    return new ForkSchedule(activations, {
      ...options,
      terminalTotalDifficulty: from >= paris ? 0n : options.terminalTotalDifficulty,
    });
  }

  /**
   * A geth genesis `config`: homesteadBlock ... grayGlacierBlock, mergeNetsplitBlock and
   * terminalTotalDifficulty, shanghaiTime ... osakaTime, bpo1Time ... bpo5Time, blobSchedule.
   */
  static fromGethConfig(config: Record<string, unknown>, options: ForkScheduleOptions = {}): ForkSchedule {
    const num = (key: string): bigint | undefined => {
      const v = config[key];
      if (v === undefined || v === null) return undefined;
      if (typeof v === "number" && Number.isSafeInteger(v) && v >= 0) return BigInt(v);
      if (typeof v === "string" && /^(0x[0-9a-fA-F]+|[0-9]+)$/.test(v)) return BigInt(v);
      if (typeof v === "bigint" && v >= 0n) return v;
      throw new ForkScheduleError(`invalid config.${key}: expected a non-negative integer, got ${JSON.stringify(v)}`);
    };
    if (config.daoForkSupport === true && num("daoForkBlock") !== undefined) {
      throw new ForkScheduleError("config.daoForkSupport: the DAO fork's irregular state change is not supported");
    }
    const blockKeys: Record<string, string> = {
      Homestead: "homesteadBlock",
      TangerineWhistle: "eip150Block",
      SpuriousDragon: "eip158Block",
      Byzantium: "byzantiumBlock",
      Constantinople: "constantinopleBlock",
      Petersburg: "petersburgBlock",
      Istanbul: "istanbulBlock",
      MuirGlacier: "muirGlacierBlock",
      Berlin: "berlinBlock",
      London: "londonBlock",
      ArrowGlacier: "arrowGlacierBlock",
      GrayGlacier: "grayGlacierBlock",
    };
    const rawBlobs = config.blobSchedule;
    const blobSchedules: Record<string, BlobSchedule> = {};
    if (rawBlobs !== undefined && rawBlobs !== null) {
      if (typeof rawBlobs !== "object" || Array.isArray(rawBlobs)) {
        throw new ForkScheduleError("invalid config.blobSchedule: expected an object of forks");
      }
      for (const [fork, s] of Object.entries(rawBlobs as Record<string, unknown>)) {
        blobSchedules[fork] = parseBlobSchedule(s, `config.blobSchedule.${fork}`);
      }
    }
    const activations: ForkActivation[] = [];
    const add = (k: KnownFork, at: { block?: bigint; timestamp?: bigint; merge?: boolean }) => {
      let blobSchedule = k.blobSchedule;
      for (const [name, s] of Object.entries(blobSchedules)) if (norm(name) === norm(k.name)) blobSchedule = s;
      activations.push({ name: k.name, fork: k.fork, bombDelay: k.bombDelay, blobSchedule, ...at });
    };
    add(KNOWN_FORKS[0], { block: 0n });
    // eip155Block is the same fork as eip158Block (Spurious Dragon); the later of the two, as geth requires both.
    const eip155 = num("eip155Block"), eip158 = num("eip158Block");
    for (const k of KNOWN_FORKS.slice(1)) {
      if (k.fork === Fork.Paris) {
        if (num("terminalTotalDifficulty") !== undefined || num("mergeNetsplitBlock") !== undefined) {
          add(k, { merge: true });
        }
        continue;
      }
      if (k.byTime) {
        const t = num(`${k.name[0].toLowerCase()}${k.name.slice(1).toLowerCase()}Time`);
        if (t !== undefined) add(k, { timestamp: t });
        continue;
      }
      let b = num(blockKeys[k.name]);
      if (k.name === "SpuriousDragon" && (eip155 !== undefined || eip158 !== undefined)) {
        b = eip155 === undefined ? eip158 : eip158 === undefined ? eip155 : eip155 > eip158 ? eip155 : eip158;
      }
      if (b !== undefined) add(k, { block: b });
    }
    const forkPoints = { blocks: [] as bigint[], times: [] as bigint[] };
    for (const [key, value] of Object.entries(config)) {
      if (key.endsWith("Block") && value !== null && value !== undefined) forkPoints.blocks.push(num(key)!);
      if (key.endsWith("Time") && value !== null && value !== undefined) forkPoints.times.push(num(key)!);
    }
    let depositContract = options.depositContract;
    const dc = config.depositContractAddress;
    if (typeof dc === "string") {
      if (!/^0x[0-9a-fA-F]{40}$/.test(dc)) {
        throw new ForkScheduleError(`invalid config.depositContractAddress: ${JSON.stringify(dc)}`);
      }
      depositContract = BigInt(dc);
    }
    return new ForkSchedule(activations, {
      ...options,
      terminalTotalDifficulty: num("terminalTotalDifficulty"),
      mergeNetsplitBlock: num("mergeNetsplitBlock"),
      depositContract,
      forkPoints,
    });
  }

  /**
   * The EIP-2124 fork id at block `number` and time `timestamp`: CRC-32 of the genesis hash and every fork
   * block and timestamp passed (those at genesis excluded), with the next fork's.
   */
  forkId(
    genesisHash: Uint8Array,
    genesisTime: bigint,
    number: bigint,
    timestamp: bigint,
  ): { hash: number; next: bigint } {
    const points = this.options.forkPoints ?? {
      blocks: this.activations.flatMap((a) => (a.block === undefined ? [] : [a.block])),
      times: this.activations.flatMap((a) => (a.timestamp === undefined ? [] : [a.timestamp])),
    };
    const unique = (xs: bigint[], floor: bigint) =>
      [...new Set(xs.filter((x) => x > floor))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    let crc = crc32(genesisHash);
    for (
      const [list, at] of [[unique(points.blocks, 0n), number], [unique(points.times, genesisTime), timestamp]] as const
    ) {
      for (const fork of list) {
        if (fork > at) return { hash: crc, next: fork };
        const b = new Uint8Array(8);
        for (let i = 0, x = fork; i < 8; i++, x >>= 8n) b[7 - i] = Number(x & 0xffn);
        crc = crc32(b, crc);
      }
    }
    return { hash: crc, next: 0n };
  }

  /** The timestamp-activated forks after `timestamp`, in order (eth_config's next and last). */
  timeForksAfter(timestamp: bigint): ForkActivation[] {
    return this.activations.filter((a) => a.timestamp !== undefined && a.timestamp > timestamp);
  }

  /** The fork an activation entry starts. */
  atActivation(activation: ForkActivation): ChainHardfork {
    const i = this.activations.indexOf(activation);
    if (i < 0) throw new ForkScheduleError(`${activation.name} is not an activation of this schedule`);
    let hf = this.resolved.get(i);
    if (!hf) this.resolved.set(i, hf = this.resolve(i));
    return hf;
  }

  /** The activation entry a block runs under. */
  activationAt(number: bigint, timestamp: bigint, merged: boolean): ForkActivation {
    return this.activations[this.indexAt(number, timestamp, merged)];
  }

  /** One fork for every block (a dev chain started with --hardfork). */
  static single(hardfork: ChainHardfork): ForkSchedule {
    const s = new ForkSchedule([{ name: hardfork.name, fork: hardfork.fork, block: 0n }], {
      terminalTotalDifficulty: hardfork.fork >= Fork.Paris ? 0n : undefined,
    });
    s.resolved.set(0, hardfork);
    return s;
  }
}

/** CRC-32 (IEEE), continuing from `crc` (the checksum of the bytes before). */
function crc32(bytes: Uint8Array, crc = 0): number {
  let c = ~crc >>> 0;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return ~c >>> 0;
}

export function parseBlobSchedule(v: unknown, name: string): BlobSchedule {
  if (typeof v !== "object" || v === null || Array.isArray(v)) {
    throw new ForkScheduleError(`invalid ${name}: expected { target, max, baseFeeUpdateFraction }`);
  }
  const o = v as Record<string, unknown>;
  const int = (key: string): bigint => {
    const x = o[key];
    if (typeof x === "number" && Number.isSafeInteger(x) && x >= 0) return BigInt(x);
    if (typeof x === "string" && /^(0x[0-9a-fA-F]+|[0-9]+)$/.test(x)) return BigInt(x);
    throw new ForkScheduleError(`invalid ${name}.${key}: expected a non-negative integer, got ${JSON.stringify(x)}`);
  };
  return { target: Number(int("target")), max: Number(int("max")), updateFraction: int("baseFeeUpdateFraction") };
}
