/**
 * The engines the benchmarks time, behind one interface: our runCall on a
 * backend, and @ethereumjs/evm. Each `prepare` builds a fresh pre-state
 * outside the timed region and returns the call to time.
 */
import { createEVM } from "@ethereumjs/evm";
import { Common, Hardfork, Mainnet } from "@ethereumjs/common";
import { Account as EjsAccount, bigIntToBytes, createAddressFromBigInt, setLengthLeft } from "@ethereumjs/util";
import { Account, type CallResult, Fork, runCall, WorldState } from "../mod.ts";
import type { BlockEnv } from "../src/evm/env.ts";
import type { Backend } from "../backends/backend.ts";
import type { BenchCase } from "./contracts.ts";

/** ethereumjs' Mainnet Common; our block env is set to match. */
export const CHAIN_ID = 1n;

export interface Outcome {
  status: "success" | "revert" | "halt";
  output: Uint8Array;
  /** Execution gas (intrinsic gas excluded); undefined where an engine does not report it. */
  gasUsed?: bigint;
  error?: string;
}

export type PreparedCall = () => Outcome | Promise<Outcome>;

export interface Engine {
  name: string;
  /** Builds a fresh pre-state for one call; only the returned call is timed. */
  prepare(c: BenchCase): Promise<PreparedCall>;
}

export function blockOf(c: BenchCase) {
  return { number: 1n, timestamp: 1n, gasLimit: 30_000_000n, coinbase: 0n, baseFee: 0n, ...c.block };
}

/**
 * runCall from mod.ts on `backend`. With `freshCode`, every call gets new code arrays, so caches kept per
 * code array (analysis, compiled module) start cold, as ethereumjs' own analysis does in every call.
 */
export function oursEngine(name: string, backend: Backend, freshCode: boolean): Engine {
  return {
    name,
    prepare(c) {
      const world = preState(c, freshCode);
      const block = caseBlock(c);
      return Promise.resolve(() => {
        const r = callCase(backend, c, world, c.gas, block);
        return {
          status: r.success ? "success" : r.reverted ? "revert" : "halt",
          output: r.output,
          gasUsed: r.gasUsed,
          error: r.error,
        };
      });
    },
  };
}

/** A world holding the case's pre-state (with `freshCode`, copies of the code arrays). */
export function preState(c: BenchCase, freshCode = false): WorldState {
  const world = new WorldState();
  for (const a of c.pre) {
    const code = freshCode ? a.code.slice() : a.code;
    world.setAccountDirect(a.address, new Account(a.nonce, a.balance, code, new Map(a.storage)));
  }
  return world;
}

/** The case's block fields, with our chain id. */
export function caseBlock(c: BenchCase): Partial<BlockEnv> {
  return { ...blockOf(c), chainId: CHAIN_ID };
}

/** The case's call (caller, target, calldata, value, block) with runCall from mod.ts on `backend`. */
export function callCase(backend: Backend, c: BenchCase, world: WorldState, gas = c.gas, block = caseBlock(c)): CallResult {
  return runCall({
    backend,
    world,
    fork: Fork[c.fork],
    to: c.to,
    caller: c.caller,
    input: c.calldata,
    gas,
    value: c.value,
    block,
  });
}

/** @ethereumjs/evm, with the caller, target and precompiles warmed as our runCall warms them. */
export function ethereumjsEngine(): Engine {
  const commons = new Map<string, Common>();
  const commonFor = (fork: BenchCase["fork"]) => {
    let common = commons.get(fork);
    if (!common) {
      common = new Common({ chain: Mainnet, hardfork: fork === "Frontier" ? Hardfork.Chainstart : Hardfork[fork] });
      commons.set(fork, common);
    }
    return common;
  };
  return {
    name: "ethereumjs",
    async prepare(c) {
      const evm = await createEVM({ common: commonFor(c.fork) });
      const state = evm.stateManager;
      for (const a of c.pre) {
        const address = createAddressFromBigInt(a.address);
        await state.putAccount(address, new EjsAccount(a.nonce, a.balance));
        if (a.code.length > 0) await state.putCode(address, a.code.slice());
        for (const [slot, value] of a.storage) {
          if (value !== 0n) {
            await state.putStorage(address, setLengthLeft(bigIntToBytes(slot), 32), bigIntToBytes(value));
          }
        }
      }
      // evm.runCall does not warm what a transaction warms (runCall in mod.ts does: caller, target, precompiles).
      if (evm.common.isActivatedEIP(2929)) {
        for (const address of [c.caller, c.to]) {
          evm.journal.addAlwaysWarmAddress(createAddressFromBigInt(address).toString());
        }
        for (const address of evm.precompiles.keys()) evm.journal.addAlwaysWarmAddress(address);
      }
      const b = blockOf(c);
      const block = {
        header: {
          number: b.number,
          coinbase: createAddressFromBigInt(b.coinbase),
          timestamp: b.timestamp,
          difficulty: 0n,
          prevRandao: new Uint8Array(32),
          gasLimit: b.gasLimit,
          baseFeePerGas: b.baseFee,
          getBlobGasPrice: () => 1n,
        },
      };
      const caller = createAddressFromBigInt(c.caller);
      const to = createAddressFromBigInt(c.to);
      return async () => {
        const r = await evm.runCall(
          { to, caller, origin: caller, data: c.calldata, gasLimit: c.gas, value: c.value, block } as Parameters<
            typeof evm.runCall
          >[0],
        );
        const err = r.execResult.exceptionError?.error;
        return {
          status: err === undefined ? "success" : err === "revert" ? "revert" : "halt",
          output: r.execResult.returnValue,
          gasUsed: r.execResult.executionGasUsed,
          error: err,
        };
      };
    },
  };
}

// ---- timing

/** Length of one engine's turn when engines are timed alternately. */
export const SLICE_MS = 50;

export interface Timing {
  medianMs: number;
  minMs: number;
  maxMs: number;
  iterations: number;
}

export async function callOnce(engine: Engine, c: BenchCase): Promise<{ outcome: Outcome; ms: number }> {
  const call = await engine.prepare(c);
  const start = performance.now();
  const r = call();
  // A synchronous engine is timed without the microtask turn an `await` would add (about 0.2 µs).
  const outcome = r instanceof Promise ? await r : r;
  return { outcome, ms: performance.now() - start };
}

export function summarise(s: number[]): Timing {
  s.sort((a, b) => a - b);
  const mid = s.length >> 1;
  return {
    medianMs: s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2,
    minMs: s[0],
    maxMs: s[s.length - 1],
    iterations: s.length,
  };
}

/** A sample of fast calls lasts at least this long (see callsPerSample). */
export const MIN_SAMPLE_MS = 0.02;
/** The most calls one sample takes. */
export const MAX_CALLS_PER_SAMPLE = 64;

/**
 * Calls per sample for a case whose fastest engine takes `fastestMs` a call: reading the clock twice costs about
 * 0.1 µs, which is 5% of a 2 µs call, so fast calls are timed several at a time (each with its own fresh
 * pre-state, prepared before the clock starts) and a sample is their mean.
 */
export function callsPerSample(fastestMs: number): number {
  return Math.max(1, Math.min(MAX_CALLS_PER_SAMPLE, Math.ceil(MIN_SAMPLE_MS / Math.max(fastestMs, 1e-6))));
}

/** Mean time of `n` calls timed together, each prepared (fresh pre-state) before the clock starts. */
export async function callBatch(engine: Engine, c: BenchCase, n: number): Promise<number> {
  if (n === 1) return (await callOnce(engine, c)).ms;
  const calls: PreparedCall[] = [];
  for (let i = 0; i < n; i++) calls.push(await engine.prepare(c));
  const start = performance.now();
  for (const call of calls) {
    const r = call();
    if (r instanceof Promise) await r;
  }
  return (performance.now() - start) / n;
}

/**
 * The engines take turns of about SLICE_MS each, so that load from other processes falls on all of them. An
 * engine stops once it has spent `budgetMs` and taken `minIterations[i]` samples; `seed[i]` are samples already
 * taken (the check call of an engine whose single call is slow counts as a sample, so that slow engines run
 * once). Each sample is the mean of `perSample` calls (callsPerSample).
 */
export async function timeInTurns(
  engines: Engine[],
  c: BenchCase,
  budgetMs: number,
  minIterations: number[],
  seed: number[][],
  perSample = 1,
): Promise<Timing[]> {
  const samples = seed.map((s) => [...s]);
  const spent = seed.map((s) => s.reduce((x, y) => x + y, 0));
  const done = (i: number) => samples[i].length >= minIterations[i] && spent[i] >= budgetMs;
  while (!engines.every((_, i) => done(i))) {
    for (const [i, engine] of engines.entries()) {
      if (done(i)) continue;
      const start = performance.now();
      do samples[i].push(await callBatch(engine, c, perSample)); while (performance.now() - start < SLICE_MS);
      spent[i] += performance.now() - start;
    }
  }
  return samples.map(summarise);
}
