/**
 * Compiled modules in memory, by code and fork: first by the identity of the
 * code array (no hashing on the hot path), then by code hash. Each entry keeps
 * a small pool of instances so that nested and repeated frames reuse them.
 */
import type { ForkRules } from "../../src/forks/rules.ts";
import { keccak256 } from "../../src/primitives/hash.ts";
import { bytesToHex } from "../../src/primitives/hex.ts";
import { CompiledInstance } from "./host_imports.ts";

const POOL_LIMIT = 8;
/**
 * Instances kept across all modules. Each holds a WebAssembly.Memory, for which engines reserve several GiB
 * of address space: thousands of idle ones would exhaust it.
 */
const TOTAL_POOL_LIMIT = 128;
let pooledTotal = 0;
/**
 * The modules that have held pooled instances, least recently released first: the oldest with one gives it
 * up when all pools are full. A module whose pool empties stays listed (dropped when eviction reaches it), and
 * releasing into the newest holder again changes nothing: a run of calls into one code does no Set work.
 */
const holders = new Set<ModuleEntry>();
let newestHolder: ModuleEntry | undefined;

export class ModuleEntry {
  private readonly pool: CompiledInstance[] = [];
  /** Frames run with this module (for tiering and reports). */
  runs = 0;

  constructor(readonly module: WebAssembly.Module, readonly code: Uint8Array, readonly rules: ForkRules) {}

  acquire(): CompiledInstance {
    const inst = this.pool.pop();
    if (inst === undefined) return new CompiledInstance(this.module, this.code, this.rules);
    pooledTotal--;
    return inst;
  }

  release(inst: CompiledInstance): void {
    if (!inst.reset()) return;
    if (this.pool.length >= POOL_LIMIT) return inst.retire();
    if (pooledTotal >= TOTAL_POOL_LIMIT) evictOldest();
    this.pool.push(inst);
    pooledTotal++;
    if (newestHolder !== this) {
      holders.delete(this);
      holders.add(this);
      newestHolder = this;
    }
  }

  /** Instances waiting in this module's pool. */
  get pooled(): number {
    return this.pool.length;
  }

  /** Retires the oldest pooled instance; false when the pool is empty. */
  giveUpOldest(): boolean {
    const inst = this.pool.shift();
    if (inst === undefined) return false;
    pooledTotal--;
    inst.retire();
    return true;
  }
}

function evictOldest(): void {
  for (const holder of holders) {
    const gave = holder.giveUpOldest();
    if (holder.pooled === 0) {
      holders.delete(holder);
      if (newestHolder === holder) newestHolder = undefined;
    }
    if (gave) return;
  }
}

/** A cached outcome: a module, or a failure (the code runs on the interpreter). */
export type Cached = ModuleEntry | "failed";

export function codeKey(code: Uint8Array, rules: ForkRules): string {
  return `${rules.id}:${bytesToHex(keccak256(code)).slice(2)}`;
}

/** Modules kept by hash. */
const MODULE_LIMIT = 8192;

export class ModuleCache {
  private readonly byArray = new WeakMap<Uint8Array, Cached[]>();
  private readonly byKey = new Map<string, Cached>();

  /** Fast path: this very array was seen with this fork. */
  peek(code: Uint8Array, rules: ForkRules): Cached | undefined {
    return this.byArray.get(code)?.[rules.id];
  }

  /** Looks up by hash (remembering the array); undefined when never compiled. */
  lookup(code: Uint8Array, rules: ForkRules, key = codeKey(code, rules)): Cached | undefined {
    const c = this.byKey.get(key);
    if (c !== undefined) this.remember(code, rules, c);
    return c;
  }

  store(code: Uint8Array, rules: ForkRules, c: Cached, key = codeKey(code, rules)): void {
    // Oldest first out past the limit (arrays already seen keep their entry through byArray while alive).
    if (this.byKey.size >= MODULE_LIMIT) this.byKey.delete(this.byKey.keys().next().value!);
    this.byKey.set(key, c);
    this.remember(code, rules, c);
  }

  private remember(code: Uint8Array, rules: ForkRules, c: Cached): void {
    let arr = this.byArray.get(code);
    if (!arr) this.byArray.set(code, arr = []);
    arr[rules.id] = c;
  }

  get size(): number {
    return this.byKey.size;
  }
}
