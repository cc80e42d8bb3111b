/**
 * Running against state not fetched yet: a run that misses keys (they read as absent or zero, or throw
 * StateMissError) is run again once they are fetched, until a run misses nothing. Each round fetches at least
 * one new key. The RPC layer decides which requests run which way (src/rpc/fork_middleware.ts).
 */
import type { DevChain } from "../chain/chain.ts";
import type { ForkStateSource } from "./fork_source.ts";
import { StateMissError, type StateKey } from "./errors.ts";

type Chain = Pick<DevChain, "forgetReads" | "captureState" | "restoreState" | "releaseState">;

/**
 * For a run that changes nothing: every key it missed is forgotten where it left them, all are fetched in one
 * round trip, and it runs again. `onRetry` is called before each fetch.
 */
export async function runUntilNoMisses(
  source: ForkStateSource, chain: () => Chain, attempt: () => unknown, onRetry: () => void,
): Promise<unknown> {
  for (;;) {
    source.collectMisses();
    let pending: unknown, missed: StateKey[];
    try {
      pending = attempt();
    } catch (e) {
      pending = Promise.reject(e);
    } finally {
      missed = source.takeMisses(); // an asynchronous remainder of the method throws its misses
    }
    let result: unknown, error: unknown, failed = false;
    try {
      result = await pending;
    } catch (e) {
      if (e instanceof StateMissError) missed.push(e.key);
      else {
        error = e;
        failed = true;
      }
    }
    if (missed.length === 0) {
      if (failed) throw error;
      return result;
    }
    chain().forgetReads(missed.filter((k) => k.kind !== "blockHash") as { address: bigint; slot?: bigint }[]);
    onRetry();
    await source.fetch(missed);
  }
}

/** For a run that changes the chain: a miss puts the chain back, the key is fetched, and it runs again. */
export async function runRestoringOnMiss(
  source: ForkStateSource, chain: () => Chain, attempt: () => unknown, onRetry: () => void,
): Promise<unknown> {
  for (;;) {
    const c = chain();
    const saved = c.captureState();
    try {
      return await attempt();
    } catch (e) {
      if (!(e instanceof StateMissError)) throw e;
      c.restoreState(saved);
      onRetry();
      await source.fetch([e.key]);
    } finally {
      c.releaseState(saved);
    }
  }
}
