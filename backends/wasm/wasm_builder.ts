/**
 * A WebAssembly module builder with the part of Binaryen's JavaScript API that the compiler uses (expressions
 * as numbers, functions and globals by name), writing the binary directly. Building a contract's module
 * through Binaryen cost a call into its own WebAssembly per expression and a separate emit pass; here an
 * expression is a row of a typed-array table and each function is encoded when it is added.
 *
 * Expressions form trees (each used once). Types are Binaryen's numbers: none 0, unreachable 1, i32 2, i64 3,
 * f32 4, f64 5, v128 6, and createType([...]) for parameter lists. An expression that never completes (a
 * branch, return, tail call, unreachable, or a block with one) has type unreachable; where such a block is
 * written with an empty block type, an `unreachable` follows it, so that what comes after it validates.
 */

export type Type = number;
export type ExpressionRef = number;

export const none = 0, unreachable = 1, i32 = 2, i64 = 3, f32 = 4, f64 = 5, v128 = 6;

const VALTYPE = [0, 0, 0x7f, 0x7e, 0x7d, 0x7c, 0x7b];

/** Parameter lists by type id (ids from TUPLE_BASE up; single types and none are their own ids). */
const tuples: Type[][] = [];
const tupleIds = new Map<string, Type>();
const TUPLE_BASE = 1000;

export function createType(types: readonly Type[]): Type {
  if (types.length === 0) return none;
  if (types.length === 1) return types[0];
  const key = types.join(",");
  let id = tupleIds.get(key);
  if (id === undefined) {
    id = TUPLE_BASE + tuples.length;
    tuples.push([...types]);
    tupleIds.set(key, id);
  }
  return id;
}

export function expandType(t: Type): readonly Type[] {
  if (t === none) return [];
  return t >= TUPLE_BASE ? tuples[t - TUPLE_BASE] : [t];
}

// Expression kinds.
const enum K {
  Const32,
  Const64,
  ConstV128,
  Op, // numeric operator: up to three operands, an optional lane immediate
  Load,
  Store,
  LocalGet,
  LocalSet,
  GlobalGet,
  GlobalSet,
  Block,
  Loop,
  If,
  Br,
  Switch,
  Call,
  ReturnCall,
  ReturnCallIndirect,
  Return,
  Drop,
  Nop,
  Unreachable,
  Select,
  Shuffle,
  MemorySize,
  MemoryGrow,
  /** memory.init, memory.copy or memory.fill (code: the 0xfc sub-opcode; imm: memory.init's segment). */
  MemoryBulk,
}

/** Fields of an expression in the node table: kind, type, opcode or local index, three operands, immediate, alignment. */
const STRIDE = 8;
const F_KIND = 0, F_TYPE = 1, F_CODE = 2, F_A = 3, F_B = 4, F_C = 5, F_IMM = 6, F_ALIGN = 7;

const NONE = -1;

/** Growable byte buffer with the LEB128 encodings. */
class Bytes {
  buf = new Uint8Array(1024);
  n = 0;
  private room(k: number): void {
    if (this.n + k <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.n + k) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.n));
    this.buf = next;
  }
  byte(b: number): void {
    if (this.n === this.buf.length) this.room(1);
    this.buf[this.n++] = b;
  }
  u32(v: number): void {
    this.room(5);
    v >>>= 0;
    do {
      let b = v & 0x7f;
      v >>>= 7;
      if (v !== 0) b |= 0x80;
      this.buf[this.n++] = b;
    } while (v !== 0);
  }
  s32(v: number): void {
    this.room(5);
    v |= 0;
    for (;;) {
      const b = v & 0x7f;
      v >>= 7;
      if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) {
        this.buf[this.n++] = b;
        return;
      }
      this.buf[this.n++] = b | 0x80;
    }
  }
  s64(v: bigint): void {
    if (v >= -0x80000000n && v <= 0x7fffffffn) return this.s32(Number(v));
    this.room(10);
    for (;;) {
      const b = Number(v & 0x7fn);
      v >>= 7n;
      if ((v === 0n && (b & 0x40) === 0) || (v === -1n && (b & 0x40) !== 0)) {
        this.buf[this.n++] = b;
        return;
      }
      this.buf[this.n++] = b | 0x80;
    }
  }
  bytes(b: ArrayLike<number>): void {
    this.room(b.length);
    for (let i = 0; i < b.length; i++) this.buf[this.n++] = b[i];
  }
  append(o: Bytes): void {
    this.room(o.n);
    this.buf.set(o.buf.subarray(0, o.n), this.n);
    this.n += o.n;
  }
  name(s: string): void {
    const b = new TextEncoder().encode(s);
    this.u32(b.length);
    this.bytes(b);
  }
  take(): Uint8Array {
    return this.buf.slice(0, this.n);
  }
}

interface FunctionImport {
  module: string;
  base: string;
  sig: number;
}

const log2 = (align: number) => (align <= 1 ? 0 : 31 - Math.clz32(align));

/** The subset of binaryen.Module that the compiler calls. */
export class Module {
  /**
   * Expressions of the function being built, STRIDE numbers each (and `xs`: a constant, names, children or a
   * shuffle mask); a reference is `base` plus the index here.
   */
  private f = new Int32Array(STRIDE * 4096);
  private xs: unknown[] = [];
  private count = 0;
  private base = 1;
  /** Function signatures (parameter and result types), and their indexes by a key of both. */
  private sigs: [readonly Type[], readonly Type[]][] = [];
  private sigIds = new Map<string, number>();
  private imports: FunctionImport[] = [];
  private funcIndex = new Map<string, number>();
  /** Encoded bodies of the defined functions and their signatures, by index after the imports. */
  private bodies: Uint8Array[] = [];
  private bodySigs: number[] = [];
  private globals: { name: string; type: Type; mutable: boolean; init: Uint8Array }[] = [];
  private globalIndex = new Map<string, number>();
  private exports: { name: string; kind: number; internal: string }[] = [];
  /** The module's one table of functions (by name), filled at offset 0 when instantiated. */
  private table: { name: string; elements: readonly string[] } | undefined;
  private memoryLimits: { initial: number; maximum: number } = { initial: 0, maximum: -1 };
  private memoryImport: { module: string; base: string } | undefined;
  /** Passive data segments (for memory.init), by name. */
  private segments: { name: string; data: Uint8Array }[] = [];
  private readonly body = new Bytes();
  /** Labels in scope while a function is written (null: an if's). */
  private scopes: (string | null)[] = [];

  private add(
    kind: K, type: Type, code: number, a = NONE, b = NONE, c = NONE, imm = 0, x: unknown = undefined, align = 0,
  ): ExpressionRef {
    let i = this.count * STRIDE;
    if (i + STRIDE > this.f.length) {
      const next = new Int32Array(this.f.length * 2);
      next.set(this.f);
      this.f = next;
    }
    const f = this.f;
    f[i] = kind;
    f[++i] = type;
    f[++i] = code;
    f[++i] = a;
    f[++i] = b;
    f[++i] = c;
    f[++i] = imm;
    f[++i] = align;
    this.xs.push(x);
    return this.base + this.count++;
  }
  /** Where expression e's fields start in the table. */
  private at(e: ExpressionRef): number {
    const i = e - this.base;
    if (i < 0 || i >= this.count) throw new Error("wasm builder: an expression used outside the function it was built for");
    return i * STRIDE;
  }
  private typeOf(e: ExpressionRef): Type {
    return this.f[this.at(e) + F_TYPE];
  }
  /** The type of an operator over operands: unreachable if an operand never completes. */
  private opType(result: Type, a: ExpressionRef, b = NONE, c = NONE): Type {
    if (
      this.typeOf(a) === unreachable || (b !== NONE && this.typeOf(b) === unreachable) ||
      (c !== NONE && this.typeOf(c) === unreachable)
    ) {
      return unreachable;
    }
    return result;
  }
  private op(code: number, result: Type, a: ExpressionRef, b = NONE, c = NONE, lane = 0): ExpressionRef {
    return this.add(K.Op, this.opType(result, a, b, c), code, a, b, c, lane);
  }

  private numeric(t: Type, base: { [k: string]: number }) {
    const self = this;
    const un = (code: number, r: Type) => (a: ExpressionRef) => self.op(code, r, a);
    const bin = (code: number, r: Type) => (a: ExpressionRef, b: ExpressionRef) => self.op(code, r, a, b);
    const load = (code: number) => (offset: number, align: number, ptr: ExpressionRef) =>
      self.add(K.Load, self.opType(t, ptr), code, ptr, NONE, NONE, offset, undefined, log2(align));
    const store = (code: number) => (offset: number, align: number, ptr: ExpressionRef, value: ExpressionRef) =>
      self.add(K.Store, self.opType(none, ptr, value), code, ptr, value, NONE, offset, undefined, log2(align));
    const ops: Record<string, unknown> = {};
    for (const [name, code] of Object.entries(base)) {
      if (name.startsWith("load")) ops[name] = load(code);
      else if (name.startsWith("store")) ops[name] = store(code);
      else if (/^(eqz|clz|ctz|popcnt)$/.test(name)) ops[name] = un(code, name === "eqz" ? i32 : t);
      else if (/^(eq|ne|lt_s|lt_u|gt_s|gt_u|le_s|le_u|ge_s|ge_u)$/.test(name)) ops[name] = bin(code, i32);
      else ops[name] = bin(code, t);
    }
    return ops;
  }

  readonly i32 = {
    const: (v: number) => this.add(K.Const32, i32, 0, NONE, NONE, NONE, v | 0),
    wrap: (a: ExpressionRef) => this.op(0xa7, i32, a),
    ...this.numeric(i32, {
      load: 0x28, load8_s: 0x2c, load8_u: 0x2d, load16_s: 0x2e, load16_u: 0x2f,
      store: 0x36, store8: 0x3a, store16: 0x3b,
      eqz: 0x45, eq: 0x46, ne: 0x47, lt_s: 0x48, lt_u: 0x49, gt_s: 0x4a, gt_u: 0x4b, le_s: 0x4c, le_u: 0x4d, ge_s: 0x4e, ge_u: 0x4f,
      clz: 0x67, ctz: 0x68, popcnt: 0x69, add: 0x6a, sub: 0x6b, mul: 0x6c, div_s: 0x6d, div_u: 0x6e, rem_s: 0x6f,
      rem_u: 0x70, and: 0x71, or: 0x72, xor: 0x73, shl: 0x74, shr_s: 0x75, shr_u: 0x76, rotl: 0x77, rotr: 0x78,
    }),
  } as unknown as I32Ops;

  readonly i64 = {
    const: (v: bigint) => this.add(K.Const64, i64, 0, NONE, NONE, NONE, 0, BigInt.asIntN(64, v)),
    extend_u: (a: ExpressionRef) => this.op(0xad, i64, a),
    extend_s: (a: ExpressionRef) => this.op(0xac, i64, a),
    ...this.numeric(i64, {
      load: 0x29, load8_s: 0x30, load8_u: 0x31, load16_s: 0x32, load16_u: 0x33, load32_s: 0x34, load32_u: 0x35,
      store: 0x37, store8: 0x3c, store16: 0x3d, store32: 0x3e,
      eqz: 0x50, eq: 0x51, ne: 0x52, lt_s: 0x53, lt_u: 0x54, gt_s: 0x55, gt_u: 0x56, le_s: 0x57, le_u: 0x58, ge_s: 0x59, ge_u: 0x5a,
      clz: 0x79, ctz: 0x7a, popcnt: 0x7b, add: 0x7c, sub: 0x7d, mul: 0x7e, div_s: 0x7f, div_u: 0x80, rem_s: 0x81,
      rem_u: 0x82, and: 0x83, or: 0x84, xor: 0x85, shl: 0x86, shr_s: 0x87, shr_u: 0x88, rotl: 0x89, rotr: 0x8a,
    }),
  } as unknown as I64Ops;

  readonly f64 = { convert_s: { i64: (a: ExpressionRef) => this.op(0xb9, f64, a) } };

  readonly v128 = {
    const: (bytes: ArrayLike<number>) => this.add(K.ConstV128, v128, 0, NONE, NONE, NONE, 0, bytes),
    load: (offset: number, align: number, ptr: ExpressionRef) =>
      this.add(K.Load, this.opType(v128, ptr), 0xfd00, ptr, NONE, NONE, offset, undefined, log2(align)),
    store: (offset: number, align: number, ptr: ExpressionRef, value: ExpressionRef) =>
      this.add(K.Store, this.opType(none, ptr, value), 0xfd0b, ptr, value, NONE, offset, undefined, log2(align)),
  };
  readonly i8x16 = {
    shuffle: (a: ExpressionRef, b: ExpressionRef, mask: ArrayLike<number>) =>
      this.add(K.Shuffle, this.opType(v128, a, b), 0xfd0d, a, b, NONE, 0, mask),
  };
  readonly i64x2 = {
    splat: (a: ExpressionRef) => this.op(0xfd12, v128, a),
    extract_lane: (v: ExpressionRef, lane: number) => this.op(0xfd1d, i64, v, NONE, NONE, lane),
    replace_lane: (v: ExpressionRef, lane: number, x: ExpressionRef) => this.op(0xfd1e, v128, v, x, NONE, lane),
  };

  readonly local = {
    get: (index: number, type: Type) => this.add(K.LocalGet, type, index),
    set: (index: number, value: ExpressionRef) => this.add(K.LocalSet, this.opType(none, value), index, value),
  };
  readonly global = {
    get: (name: string, type: Type) => this.add(K.GlobalGet, type, 0, NONE, NONE, NONE, 0, name),
    set: (name: string, value: ExpressionRef) => this.add(K.GlobalSet, this.opType(none, value), 0, value, NONE, NONE, 0, name),
  };
  readonly memory = {
    size: () => this.add(K.MemorySize, i32, 0),
    grow: (delta: ExpressionRef) => this.add(K.MemoryGrow, this.opType(i32, delta), 0, delta),
    /** Copies `size` bytes from `source` to `dest` (the ranges may overlap). */
    copy: (dest: ExpressionRef, source: ExpressionRef, size: ExpressionRef) =>
      this.add(K.MemoryBulk, this.opType(none, dest, source, size), 0x0a, dest, source, size),
    /** Sets `size` bytes at `dest` to `value`. */
    fill: (dest: ExpressionRef, value: ExpressionRef, size: ExpressionRef) =>
      this.add(K.MemoryBulk, this.opType(none, dest, value, size), 0x0b, dest, value, size),
    /** Copies `size` bytes of passive data segment `segment` from `offset` to `dest`. */
    init: (segment: string, dest: ExpressionRef, offset: ExpressionRef, size: ExpressionRef) => {
      const type = this.opType(none, dest, offset, size);
      return this.add(K.MemoryBulk, type, 0x08, dest, offset, size, this.segmentIndex(segment));
    },
  };

  /**
   * A block of type `type` (none by default, as Binaryen's: a block of type none with a child that never
   * completes is unreachable, unless a branch targets it).
   */
  block(label: string | null, children: readonly ExpressionRef[], type: Type = none): ExpressionRef {
    if (type === none && children.some((c) => this.typeOf(c) === unreachable)) {
      if (label === null || !this.targets(label, children)) type = unreachable;
    }
    return this.add(K.Block, type, 0, NONE, NONE, NONE, 0, { label, children });
  }

  /** Whether a branch in these expressions names `label`. */
  private targets(label: string, roots: readonly ExpressionRef[]): boolean {
    const stack = [...roots], f = this.f;
    while (stack.length) {
      const e = stack.pop()!, i = this.at(e), kind = f[i + F_KIND], x = this.xs[e - this.base];
      if (kind === K.Br && x === label) return true;
      if (kind === K.Switch) {
        const s = x as SwitchX;
        if (s.def === label || s.labels.includes(label)) return true;
      }
      for (let k = F_A; k <= F_C; k++) if (f[i + k] !== NONE) stack.push(f[i + k]);
      if (kind === K.Block) stack.push(...(x as BlockX).children);
      if (kind === K.Call || kind === K.ReturnCall || kind === K.ReturnCallIndirect) stack.push(...(x as CallX).operands);
    }
    return false;
  }

  if(condition: ExpressionRef, ifTrue: ExpressionRef, ifFalse: ExpressionRef = NONE): ExpressionRef {
    let type: Type = none;
    if (ifFalse !== NONE) {
      const t = this.typeOf(ifTrue), f = this.typeOf(ifFalse);
      type = t === unreachable ? f : t;
    }
    if (this.typeOf(condition) === unreachable) type = unreachable;
    return this.add(K.If, type, 0, condition, ifTrue, ifFalse);
  }
  loop(label: string | null, body: ExpressionRef): ExpressionRef {
    return this.add(K.Loop, this.typeOf(body), 0, body, NONE, NONE, 0, label);
  }
  br(label: string, condition: ExpressionRef = NONE, value: ExpressionRef = NONE): ExpressionRef {
    const type = condition === NONE ? unreachable : value === NONE ? none : this.typeOf(value);
    return this.add(K.Br, type, 0, condition, value, NONE, 0, label);
  }
  switch(labels: readonly string[], defaultLabel: string, condition: ExpressionRef): ExpressionRef {
    return this.add(K.Switch, unreachable, 0, condition, NONE, NONE, 0, { labels, def: defaultLabel });
  }
  call(name: string, operands: readonly ExpressionRef[], returnType: Type): ExpressionRef {
    const type = operands.some((o) => this.typeOf(o) === unreachable) ? unreachable : returnType;
    return this.add(K.Call, type, 0, NONE, NONE, NONE, 0, { name, operands });
  }
  return_call(name: string, operands: readonly ExpressionRef[], _returnType: Type): ExpressionRef {
    return this.add(K.ReturnCall, unreachable, 0, NONE, NONE, NONE, 0, { name, operands });
  }
  /** A tail call through the table: the function at `index` of `table`, of signature `params` -> `results`. */
  return_call_indirect(
    table: string, index: ExpressionRef, operands: readonly ExpressionRef[], params: Type, results: Type,
  ): ExpressionRef {
    if (table !== this.table?.name) throw new Error(`wasm builder: no table ${table}`);
    const sig = this.sig(params, results);
    return this.add(K.ReturnCallIndirect, unreachable, 0, index, NONE, NONE, sig, { name: table, operands });
  }
  return(value: ExpressionRef = NONE): ExpressionRef {
    return this.add(K.Return, unreachable, 0, value);
  }
  drop(value: ExpressionRef): ExpressionRef {
    return this.add(K.Drop, this.opType(none, value), 0, value);
  }
  nop(): ExpressionRef {
    return this.add(K.Nop, none, 0);
  }
  unreachable(): ExpressionRef {
    return this.add(K.Unreachable, unreachable, 0);
  }
  select(condition: ExpressionRef, ifTrue: ExpressionRef, ifFalse: ExpressionRef): ExpressionRef {
    const t = this.typeOf(ifTrue);
    return this.add(K.Select, this.opType(t === unreachable ? this.typeOf(ifFalse) : t, condition, ifTrue, ifFalse), 0, condition, ifTrue, ifFalse);
  }

  // ---- module fields

  private sig(params: Type, results: Type): number {
    const key = `${params}>${results}`;
    let id = this.sigIds.get(key);
    if (id === undefined) {
      id = this.sigs.length;
      this.sigs.push([expandType(params), expandType(results)]);
      this.sigIds.set(key, id);
    }
    return id;
  }
  private indexOf(name: string): number {
    let i = this.funcIndex.get(name);
    if (i === undefined) {
      i = this.imports.length + this.bodies.length;
      this.funcIndex.set(name, i);
      this.bodies.push(EMPTY);
      this.bodySigs.push(-1);
    }
    return i;
  }

  addFunctionImport(name: string, module: string, base: string, params: Type, results: Type): void {
    if (this.bodies.length > 0) throw new Error(`wasm builder: import ${name} after a defined function`);
    this.funcIndex.set(name, this.imports.length);
    this.imports.push({ module, base, sig: this.sig(params, results) });
  }

  addFunction(name: string, params: Type, results: Type, vars: readonly Type[], body: ExpressionRef): void {
    const i = this.indexOf(name) - this.imports.length;
    if (this.bodySigs[i] !== -1) throw new Error(`wasm builder: function ${name} added twice`);
    this.bodySigs[i] = this.sig(params, results);
    const out = this.body;
    out.n = 0;
    // Locals: runs of one type.
    const runs: [number, Type][] = [];
    for (const t of vars) {
      if (runs.length && runs[runs.length - 1][1] === t) runs[runs.length - 1][0]++;
      else runs.push([1, t]);
    }
    out.u32(runs.length);
    for (const [count, t] of runs) {
      out.u32(count);
      out.byte(VALTYPE[t]);
    }
    this.emit(body);
    out.byte(0x0b);
    this.bodies[i] = out.take();
    this.reset();
  }

  /** The expressions so far are written: their nodes go (an expression belongs to one function or global). */
  private reset(): void {
    this.base += this.count;
    this.count = 0;
    this.xs.length = 0;
  }

  /** The module's table: `elements`, by function name, at indexes 0 and up (a fixed size). */
  addTable(name: string, elements: readonly string[]): void {
    if (this.table) throw new Error("wasm builder: one table only");
    this.table = { name, elements };
    for (const f of elements) this.indexOf(f);
  }

  addGlobal(name: string, type: Type, mutable: boolean, init: ExpressionRef): void {
    this.body.n = 0;
    this.emit(init);
    this.body.byte(0x0b);
    this.globalIndex.set(name, this.globals.length);
    this.globals.push({ name, type, mutable, init: this.body.take() });
    this.reset();
  }
  addFunctionExport(internal: string, external: string): void {
    this.exports.push({ name: external, kind: 0, internal });
  }
  addGlobalExport(internal: string, external: string): void {
    this.exports.push({ name: external, kind: 3, internal });
  }
  setMemory(initial: number, maximum: number, ..._rest: unknown[]): void {
    this.memoryLimits = { initial, maximum };
  }
  addMemoryImport(_name: string, module: string, base: string): void {
    this.memoryImport = { module, base };
  }
  /** A passive data segment: bytes that memory.init copies into memory, not placed at instantiation. */
  addPassiveSegment(name: string, data: Uint8Array): void {
    if (this.segments.some((d) => d.name === name)) throw new Error(`wasm builder: segment ${name} added twice`);
    this.segments.push({ name, data });
  }
  private segmentIndex(name: string): number {
    const i = this.segments.findIndex((d) => d.name === name);
    if (i < 0) throw new Error(`wasm builder: no data segment ${name}`);
    return i;
  }

  // ---- encoding

  /** Opens a block, loop or if (`opcode`) of type `type` whose branches name `label`. */
  private open(opcode: number, type: Type, label: string | null): void {
    this.body.byte(opcode);
    this.body.byte(type === none || type === unreachable ? 0x40 : VALTYPE[type]);
    this.scopes.push(label);
  }

  /** Closes it; one that never completes is followed by `unreachable`, so that what comes after validates. */
  private close(type: Type): void {
    this.scopes.pop();
    this.body.byte(0x0b);
    if (type === unreachable) this.body.byte(0x00);
  }

  private depth(label: string): number {
    const scopes = this.scopes;
    for (let i = scopes.length - 1; i >= 0; i--) if (scopes[i] === label) return scopes.length - 1 - i;
    throw new Error(`wasm builder: branch to unknown label ${label}`);
  }

  private emit(e: ExpressionRef): void {
    const out = this.body, f = this.f, i = this.at(e);
    const kind = f[i + F_KIND], type = f[i + F_TYPE], code = f[i + F_CODE];
    const a = f[i + F_A], b = f[i + F_B], c = f[i + F_C];
    switch (kind) {
      case K.Const32:
        out.byte(0x41);
        out.s32(f[i + F_IMM]);
        return;
      case K.Const64:
        out.byte(0x42);
        out.s64(this.xs[e - this.base] as bigint);
        return;
      case K.ConstV128:
        out.byte(0xfd);
        out.u32(0x0c);
        out.bytes(this.xs[e - this.base] as ArrayLike<number>);
        return;
      case K.Op:
        this.emit(a);
        if (b !== NONE) this.emit(b);
        if (c !== NONE) this.emit(c);
        if (code >= 0xfd00) {
          out.byte(0xfd);
          out.u32(code - 0xfd00);
          if (code === 0xfd1d || code === 0xfd1e) out.byte(f[i + F_IMM]);
        } else out.byte(code);
        return;
      case K.Load:
      case K.Store:
        this.emit(a);
        if (b !== NONE) this.emit(b);
        if (code >= 0xfd00) {
          out.byte(0xfd);
          out.u32(code - 0xfd00);
        } else out.byte(code);
        out.u32(f[i + F_ALIGN]);
        out.u32(f[i + F_IMM]);
        return;
      case K.LocalGet:
        out.byte(0x20);
        out.u32(code);
        return;
      case K.LocalSet:
        this.emit(a);
        out.byte(0x21);
        out.u32(code);
        return;
      case K.GlobalGet:
        out.byte(0x23);
        out.u32(this.globalOf(this.xs[e - this.base] as string));
        return;
      case K.GlobalSet:
        this.emit(a);
        out.byte(0x24);
        out.u32(this.globalOf(this.xs[e - this.base] as string));
        return;
      case K.Block: {
        // A block without a name is no branch target: its children are written in place (as Binaryen writes them).
        const { label, children } = this.xs[e - this.base] as BlockX;
        if (label === null) return this.emitList(children);
        this.open(0x02, type, label);
        this.emitList(children);
        this.close(type);
        return;
      }
      case K.Loop:
        this.open(0x03, type, this.xs[e - this.base] as string | null);
        this.emit(a);
        this.close(type);
        return;
      case K.If:
        this.emit(a);
        this.open(0x04, type, null);
        this.emit(b);
        if (c !== NONE) {
          out.byte(0x05);
          this.emit(c);
        }
        this.close(type);
        return;
      case K.Br:
        if (b !== NONE) this.emit(b);
        if (a !== NONE) this.emit(a);
        out.byte(a === NONE ? 0x0c : 0x0d);
        out.u32(this.depth(this.xs[e - this.base] as string));
        return;
      case K.Switch: {
        const { labels, def } = this.xs[e - this.base] as SwitchX;
        this.emit(a);
        out.byte(0x0e);
        out.u32(labels.length);
        // Tables can be long and deep (dispatch): each name's depth looked up once.
        const depths = new Map<string, number>();
        const scopes = this.scopes;
        for (let k = 0; k < scopes.length; k++) if (scopes[k] !== null) depths.set(scopes[k]!, scopes.length - 1 - k);
        const depthOf = (l: string) => {
          const d = depths.get(l);
          if (d === undefined) throw new Error(`wasm builder: branch to unknown label ${l}`);
          return d;
        };
        for (const l of labels) out.u32(depthOf(l));
        out.u32(depthOf(def));
        return;
      }
      case K.Call:
      case K.ReturnCall: {
        const { name, operands } = this.xs[e - this.base] as CallX;
        for (const o of operands) this.emit(o);
        out.byte(kind === K.Call ? 0x10 : 0x12);
        out.u32(this.indexOf(name));
        return;
      }
      case K.ReturnCallIndirect: {
        for (const o of (this.xs[e - this.base] as CallX).operands) this.emit(o);
        this.emit(a);
        out.byte(0x13);
        out.u32(f[i + F_IMM]);
        out.u32(0); // the table
        return;
      }
      case K.Return:
        if (a !== NONE) this.emit(a);
        out.byte(0x0f);
        return;
      case K.Drop:
        this.emit(a);
        out.byte(0x1a);
        return;
      case K.Nop:
        out.byte(0x01);
        return;
      case K.Unreachable:
        out.byte(0x00);
        return;
      case K.Select:
        this.emit(b);
        this.emit(c);
        this.emit(a);
        out.byte(0x1b);
        return;
      case K.Shuffle:
        this.emit(a);
        this.emit(b);
        out.byte(0xfd);
        out.u32(0x0d);
        out.bytes(this.xs[e - this.base] as ArrayLike<number>);
        return;
      case K.MemorySize:
        out.byte(0x3f);
        out.byte(0);
        return;
      case K.MemoryGrow:
        this.emit(a);
        out.byte(0x40);
        out.byte(0);
        return;
      case K.MemoryBulk:
        this.emit(a);
        this.emit(b);
        this.emit(c);
        out.byte(0xfc);
        out.u32(code);
        if (code === 0x08) out.u32(f[i + F_IMM]); // memory.init: the segment
        if (code === 0x0a) out.byte(0); // memory.copy: source memory (then the destination's, below)
        out.byte(0);
        return;
    }
  }

  /** Expressions in sequence, up to the first that never completes (what would follow it is dead). */
  private emitList(list: readonly ExpressionRef[]): void {
    for (const e of list) {
      this.emit(e);
      if (this.typeOf(e) === unreachable) return;
    }
  }

  private globalOf(name: string): number {
    const g = this.globalIndex.get(name);
    if (g === undefined) throw new Error(`wasm builder: unknown global ${name}`);
    return g;
  }

  emitBinary(): Uint8Array {
    const missing = this.bodySigs.findIndex((s) => s === -1);
    if (missing >= 0) {
      const name = [...this.funcIndex].find(([, i]) => i === missing + this.imports.length)![0];
      throw new Error(`wasm builder: function ${name} is called but never added`);
    }
    const mod = new Bytes();
    mod.bytes([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
    const section = (id: number, write: (s: Bytes) => void) => {
      const s = new Bytes();
      write(s);
      mod.byte(id);
      mod.u32(s.n);
      mod.append(s);
    };
    section(1, (s) => {
      s.u32(this.sigs.length);
      for (const [p, r] of this.sigs) {
        s.byte(0x60);
        s.u32(p.length);
        for (const t of p) s.byte(VALTYPE[t]);
        s.u32(r.length);
        for (const t of r) s.byte(VALTYPE[t]);
      }
    });
    section(2, (s) => {
      s.u32(this.imports.length + (this.memoryImport ? 1 : 0));
      for (const imp of this.imports) {
        s.name(imp.module);
        s.name(imp.base);
        s.byte(0x00);
        s.u32(imp.sig);
      }
      if (this.memoryImport) {
        s.name(this.memoryImport.module);
        s.name(this.memoryImport.base);
        s.byte(0x02);
        const { initial, maximum } = this.memoryLimits;
        if (maximum >= 0) {
          s.byte(0x01);
          s.u32(initial);
          s.u32(maximum);
        } else {
          s.byte(0x00);
          s.u32(initial);
        }
      }
    });
    section(3, (s) => {
      s.u32(this.bodySigs.length);
      for (const sig of this.bodySigs) s.u32(sig);
    });
    const table = this.table;
    if (table) {
      section(4, (s) => {
        s.u32(1);
        s.byte(0x70); // funcref
        s.byte(0x01);
        s.u32(table.elements.length);
        s.u32(table.elements.length);
      });
    }
    if (this.globals.length) {
      section(6, (s) => {
        s.u32(this.globals.length);
        for (const g of this.globals) {
          s.byte(VALTYPE[g.type]);
          s.byte(g.mutable ? 1 : 0);
          s.bytes(g.init);
        }
      });
    }
    section(7, (s) => {
      s.u32(this.exports.length);
      for (const x of this.exports) {
        s.name(x.name);
        s.byte(x.kind);
        s.u32(x.kind === 0 ? this.indexOf(x.internal) : this.globalOf(x.internal));
      }
    });
    if (table) {
      section(9, (s) => {
        s.u32(1);
        s.byte(0x00); // active, table 0, function indexes
        s.bytes([0x41, 0x00, 0x0b]); // at offset i32.const 0
        s.u32(table.elements.length);
        for (const f of table.elements) s.u32(this.indexOf(f));
      });
    }
    // Data count (before the code that names segments), code, then the data.
    if (this.segments.length) section(12, (s) => s.u32(this.segments.length));
    section(10, (s) => {
      s.u32(this.bodies.length);
      for (const b of this.bodies) {
        s.u32(b.length);
        s.bytes(b);
      }
    });
    if (this.segments.length) {
      section(11, (s) => {
        s.u32(this.segments.length);
        for (const d of this.segments) {
          s.byte(0x01); // passive
          s.u32(d.data.length);
          s.bytes(d.data);
        }
      });
    }
    return mod.take();
  }
}

interface BlockX {
  label: string | null;
  children: readonly ExpressionRef[];
}
interface SwitchX {
  labels: readonly string[];
  def: string;
}
interface CallX {
  name: string;
  operands: readonly ExpressionRef[];
}

const EMPTY = new Uint8Array(0);

type Un = (a: ExpressionRef) => ExpressionRef;
type Bin = (a: ExpressionRef, b: ExpressionRef) => ExpressionRef;
type Load = (offset: number, align: number, ptr: ExpressionRef) => ExpressionRef;
type Store = (offset: number, align: number, ptr: ExpressionRef, value: ExpressionRef) => ExpressionRef;
interface IntOps {
  eqz: Un; clz: Un; ctz: Un; popcnt: Un;
  eq: Bin; ne: Bin; lt_s: Bin; lt_u: Bin; gt_s: Bin; gt_u: Bin; le_s: Bin; le_u: Bin; ge_s: Bin; ge_u: Bin;
  add: Bin; sub: Bin; mul: Bin; div_s: Bin; div_u: Bin; rem_s: Bin; rem_u: Bin; and: Bin; or: Bin; xor: Bin;
  shl: Bin; shr_s: Bin; shr_u: Bin; rotl: Bin; rotr: Bin;
  load: Load; load8_s: Load; load8_u: Load; load16_s: Load; load16_u: Load;
  store: Store; store8: Store; store16: Store;
}
export interface I32Ops extends IntOps {
  const(v: number): ExpressionRef;
  wrap: Un;
}
export interface I64Ops extends IntOps {
  const(v: bigint): ExpressionRef;
  extend_u: Un;
  extend_s: Un;
  load32_s: Load;
  load32_u: Load;
  store32: Store;
}
