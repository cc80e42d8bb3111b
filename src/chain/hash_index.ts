/**
 * Items found by their 32-byte hash (blocks, mined transactions). A map keyed by hex strings holds a string of
 * some 90 bytes per item; this one is keyed by the hash's first 30 bits, a small integer V8 keeps unboxed, and
 * checks the whole hash on lookup (items sharing a prefix share a list).
 */
import { bytesEqual, hexToBytes } from "../primitives/hex.ts";

const prefixOf = (h: Uint8Array): number => (h[0] << 22) | (h[1] << 14) | (h[2] << 6) | (h[3] >> 2);

export class HashIndex<T extends object> {
  private map = new Map<number, T | T[]>();
  private count = 0;

  constructor(private readonly hashOf: (item: T) => Uint8Array) {}

  get size(): number {
    return this.count;
  }

  get(hash: Uint8Array): T | undefined {
    if (hash.length !== 32) return undefined;
    const at = this.map.get(prefixOf(hash));
    if (at === undefined) return undefined;
    if (!Array.isArray(at)) return bytesEqual(this.hashOf(at), hash) ? at : undefined;
    return at.find((x) => bytesEqual(this.hashOf(x), hash));
  }

  /** By a 0x-prefixed hex hash; anything that is not one finds nothing. */
  getHex(hex: unknown): T | undefined {
    if (typeof hex !== "string" || hex.length !== 66) return undefined;
    try {
      return this.get(hexToBytes(hex));
    } catch {
      return undefined;
    }
  }

  has(hash: Uint8Array): boolean {
    return this.get(hash) !== undefined;
  }

  /** Adds an item, or replaces the one with the same hash. */
  set(item: T): void {
    const hash = this.hashOf(item);
    const key = prefixOf(hash);
    const at = this.map.get(key);
    if (at === undefined) {
      this.map.set(key, item);
      this.count++;
      return;
    }
    const list = Array.isArray(at) ? at : [at];
    const i = list.findIndex((x) => bytesEqual(this.hashOf(x), hash));
    if (i >= 0) list[i] = item;
    else (list.push(item), this.count++);
    this.map.set(key, list.length === 1 ? list[0] : list);
  }

  delete(hash: Uint8Array): boolean {
    const key = prefixOf(hash);
    const at = this.map.get(key);
    if (at === undefined) return false;
    const list = Array.isArray(at) ? at : [at];
    const rest = list.filter((x) => !bytesEqual(this.hashOf(x), hash));
    if (rest.length === list.length) return false;
    this.count--;
    if (rest.length === 0) this.map.delete(key);
    else this.map.set(key, rest.length === 1 ? rest[0] : rest);
    return true;
  }

  clear(): void {
    this.map.clear();
    this.count = 0;
  }
}
