/**
 * A set of BigInts (addresses) that holds a handful in almost every transaction. V8 hashes a BigInt key
 * afresh on every Set or Map operation (about 30 ns each, whatever its size), while `===` on two BigInts
 * takes a few ns: so up to SMALL members live in an array searched in order, and a larger set moves into
 * a Set<bigint>. Clearing a small set allocates nothing (Set.clear allocates a new table) and does not set an
 * array's length (a call into the engine's C++, about 50 ns): the count goes back to 0 over stale entries.
 */
const SMALL = 16;
/**
 * A placeholder member, named rather than written `0n`: an array literal of constants only shares a
 * copy-on-write backing store, which the first add (in a fresh world, the first of every call) copies first.
 */
const UNUSED = 0n;

export class BigIntSet implements Iterable<bigint> {
  /**
   * Members while small: items[0..count). Starts with room for four (a transaction's sender and target, a
   * callee or two): filling an empty array makes the engine grow it, which costs more than this literal.
   */
  private items: bigint[] = [UNUSED, UNUSED, UNUSED, UNUSED];
  private count = 0;
  private large: Set<bigint> | undefined = undefined;

  get size(): number {
    return this.large === undefined ? this.count : this.large.size;
  }

  has(x: bigint): boolean {
    if (this.large !== undefined) return this.large.has(x);
    const items = this.items;
    for (let i = 0, n = this.count; i < n; i++) if (items[i] === x) return true;
    return false;
  }

  /** Adds x; false when it was there already. */
  add(x: bigint): boolean {
    if (this.large !== undefined) {
      if (this.large.has(x)) return false;
      this.large.add(x);
      return true;
    }
    if (this.has(x)) return false;
    if (this.count < SMALL) {
      if (this.count < this.items.length) this.items[this.count] = x;
      else this.items.push(x);
      this.count++;
    } else {
      this.large = new Set(this.items.slice(0, this.count));
      this.large.add(x);
      this.items = [];
      this.count = 0;
    }
    return true;
  }

  delete(x: bigint): boolean {
    if (this.large !== undefined) return this.large.delete(x);
    const items = this.items;
    for (let i = 0, n = this.count; i < n; i++) {
      if (items[i] !== x) continue;
      // Order is kept: iteration follows insertion, as a Set's does.
      for (let k = i + 1; k < n; k++) items[k - 1] = items[k];
      this.count--;
      return true;
    }
    return false;
  }

  clear(): void {
    this.large = undefined;
    this.count = 0;
  }

  [Symbol.iterator](): Iterator<bigint> {
    return this.large !== undefined ? this.large.values() : this.items.slice(0, this.count).values();
  }
}
