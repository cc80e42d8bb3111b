/**
 * The on-disk AOT cache: one file per (compiler version, fork, optimisation
 * level, code hash). Files are written atomically (a temporary file, then a
 * rename) and checked on every read (magic, key, length, checksum, then
 * WebAssembly validation by the caller); anything else is removed and compiled
 * again, never trusted. The folder is kept under a size cap: past it, the
 * modules used longest ago go first (a file's modification time is when it was
 * last read or written). Temporary files of writes that were cut off are
 * removed when the cache is first used.
 */
import { removeStaleTemporaryFiles, writeFileAtomically } from "../../src/cache_dir.ts";
import type { ForkRules } from "../../src/forks/rules.ts";
import { keccak256 } from "../../src/primitives/hash.ts";
import { bytesToHex } from "../../src/primitives/hex.ts";
import { COMPILER_VERSION } from "./layout.ts";
import { nodeFs, nodePath } from "../../src/runtime.ts";
import { sourceFile } from "../../src/source_files.ts";

const MAGIC = new TextEncoder().encode("EVMWASM\x01");
const HEADER = MAGIC.length + 32 + 4 + 32; // magic, key, length, keccak of the module

let sourceHash: string | undefined;

/**
 * The compiler's identity: its version plus, when its sources are readable,
 * a hash of them, so that a changed compiler never reads an older module.
 */
export function compilerIdentity(): string {
  if (sourceHash !== undefined) return sourceHash;
  const parts: Uint8Array[] = [new TextEncoder().encode(COMPILER_VERSION)];
  try {
    const fs = nodeFs();
    const dirs = [["backends/wasm/", "./"], ["backends/wasm/runtime/", "./runtime/"]];
    for (const dir of dirs.map(([path, relative]) => sourceFile(path, relative, import.meta.url))) {
      const path = dir.pathname;
      for (const f of fs.readdirSync(path).sort()) {
        if (f.endsWith(".ts")) parts.push(fs.readFileSync(nodePath().join(path, f)));
      }
    }
  } catch {
    // sources not readable (a packaged binary): the version alone
  }
  let total = 0;
  for (const p of parts) total += p.length;
  const all = new Uint8Array(total);
  let o = 0;
  for (const p of parts) all.set(p, o), o += p.length;
  return (sourceHash = `${COMPILER_VERSION}-${bytesToHex(keccak256(all)).slice(2, 18)}`);
}

/** The default size cap of the module cache folder. */
export const DEFAULT_MODULE_CACHE_BYTES = 512 * 1024 * 1024;

const MODULE_SUFFIX = ".wasmc";

export class DiskCache {
  private ready = false;
  /** Module files in the folder: name, size and when last used, as this process last saw them. */
  private files = new Map<string, { size: number; used: number }>();
  private total = 0;

  constructor(
    readonly dir: string,
    private readonly optimizeLevel: number,
    readonly maxBytes = DEFAULT_MODULE_CACHE_BYTES,
  ) {}

  /** First use: the folder exists, what interrupted writes left is gone, and its modules are counted. */
  private init(): void {
    if (this.ready) return;
    this.ready = true;
    try {
      nodeFs().mkdirSync(this.dir, { recursive: true });
    } catch {
      return;
    }
    removeStaleTemporaryFiles(this.dir, 0);
    this.scan();
  }

  private scan(): void {
    this.files.clear();
    this.total = 0;
    let names: string[];
    try {
      names = nodeFs().readdirSync(this.dir);
    } catch {
      return;
    }
    for (const name of names) {
      if (!name.endsWith(MODULE_SUFFIX)) continue;
      try {
        const st = nodeFs().statSync(nodePath().join(this.dir, name));
        this.files.set(name, { size: st.size, used: st.mtimeMs });
        this.total += st.size;
      } catch { /* removed meanwhile */ }
    }
  }

  /** Past the cap: the modules used longest ago are removed, down to 90% of it (other processes' files counted). */
  private evict(keep: string): void {
    this.scan();
    if (this.total <= this.maxBytes) return;
    const oldest = [...this.files].filter(([name]) => name !== keep).sort((a, b) => a[1].used - b[1].used);
    for (const [name, f] of oldest) {
      if (this.total <= this.maxBytes * 0.9) break;
      this.remove(nodePath().join(this.dir, name));
      this.files.delete(name);
      this.total -= f.size;
    }
  }

  /** Bytes of modules in the folder, as last counted. */
  get size(): number {
    this.init();
    return this.total;
  }

  key(code: Uint8Array, rules: ForkRules): Uint8Array {
    const id = new TextEncoder().encode(`${compilerIdentity()}:${rules.id}:${this.optimizeLevel}:`);
    const h = keccak256(code);
    const buf = new Uint8Array(id.length + h.length);
    buf.set(id);
    buf.set(h, id.length);
    return keccak256(buf);
  }

  private name(key: Uint8Array): string {
    return `${bytesToHex(key).slice(2)}${MODULE_SUFFIX}`;
  }

  private path(key: Uint8Array): string {
    return nodePath().join(this.dir, this.name(key));
  }

  /** The cached module binary, or undefined (missing, or damaged and now removed). */
  get(key: Uint8Array): Uint8Array | undefined {
    this.init();
    const file = this.path(key);
    let data: Uint8Array;
    try {
      data = nodeFs().readFileSync(file);
    } catch {
      return undefined;
    }
    const body = DiskCache.check(data, key);
    if (!body) {
      this.remove(file);
      return undefined;
    }
    // Used now: last in line for eviction.
    const now = Date.now();
    try {
      nodeFs().utimesSync(file, now / 1000, now / 1000);
    } catch { /* a read-only cache still serves */ }
    const f = this.files.get(this.name(key));
    if (f) f.used = now;
    return body;
  }

  /** The module inside a cache file's bytes, if the file is intact and holds `key`. */
  static check(data: Uint8Array, key: Uint8Array): Uint8Array | undefined {
    if (data.length < HEADER) return undefined;
    for (let i = 0; i < MAGIC.length; i++) if (data[i] !== MAGIC[i]) return undefined;
    for (let i = 0; i < 32; i++) if (data[MAGIC.length + i] !== key[i]) return undefined;
    const len = new DataView(data.buffer, data.byteOffset).getUint32(MAGIC.length + 32, true);
    if (data.length !== HEADER + len) return undefined;
    const body = data.subarray(HEADER);
    const sum = keccak256(body);
    for (let i = 0; i < 32; i++) if (data[MAGIC.length + 36 + i] !== sum[i]) return undefined;
    return body;
  }

  put(key: Uint8Array, binary: Uint8Array): void {
    this.init();
    try {
      const data = new Uint8Array(HEADER + binary.length);
      data.set(MAGIC);
      data.set(key, MAGIC.length);
      new DataView(data.buffer).setUint32(MAGIC.length + 32, binary.length, true);
      data.set(keccak256(binary), MAGIC.length + 36);
      data.set(binary, HEADER);
      const file = this.path(key);
      writeFileAtomically(file, data);
      const name = this.name(key);
      const old = this.files.get(name);
      this.total += data.length - (old?.size ?? 0);
      this.files.set(name, { size: data.length, used: Date.now() });
      if (this.total > this.maxBytes) this.evict(name);
    } catch {
      // A cache that cannot be written only costs a later compile.
    }
  }

  remove(file: string): void {
    try {
      nodeFs().rmSync(file, { force: true });
    } catch {
      // ignore
    }
  }
}
