/**
 * Compiled modules in memory, by code and fork: first by the identity of the
 * code array (no hashing on the hot path), then by code hash. Each entry keeps
 * its instances on the shared memories (instance_memory.ts), so that nested and repeated frames reuse them.
 */
import type { ForkRules } from "../../src/forks/rules.ts";
import { keccak256 } from "../../src/primitives/hash.ts";
import { bytesToHex } from "../../src/primitives/hex.ts";
import { CompiledInstance } from "./host_imports.ts";
import { giveBackMemory, INSTANCES_PER_MEMORY, takeMemory } from "./instance_memory.ts";

export class ModuleEntry {
  /** Frames run with this module (for tiering and reports). */
  runs = 0;

  constructor(readonly module: WebAssembly.Module, readonly code: Uint8Array, readonly rules: ForkRules) {}

  /** This module's instance on a free memory (instance_memory.ts), made the first time on that memory. */
  acquire(): CompiledInstance {
    const m = takeMemory();
    const kept = m.instances.get(this);
    if (kept !== undefined) {
      if (m.newest !== this) {
        m.instances.delete(this);
        m.instances.set(this, kept);
        m.newest = this;
      }
      return kept;
    }
    const inst = new CompiledInstance(this.module, this.code, this.rules, m);
    if (m.instances.size >= INSTANCES_PER_MEMORY) m.instances.delete(m.instances.keys().next().value!);
    m.instances.set(this, inst);
    m.newest = this;
    return inst;
  }

  /** Resets the instance and frees its memory (a memory grown too large to reset is dropped with it). */
  release(inst: CompiledInstance): void {
    if (inst.reset()) giveBackMemory(inst.memorySet);
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
