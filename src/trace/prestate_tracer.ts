/**
 * geth's prestateTracer: the accounts (and storage slots) an execution touched, as they were before it; with
 * diffMode, what changed: the touched accounts' prior values ("pre") and the changed fields ("post").
 */
import type { EvmTracer } from "../evm/evm.ts";
import type { Frame } from "../evm/frame.ts";
import { CallKind, type ExecResult, type Message } from "../evm/message.ts";
import { Op } from "../forks/opcodes.ts";
import { bigIntToHex, bytesEqual, bytesToHex, hexAddress, hexWord } from "../primitives/hex.ts";
import type { WorldState } from "../state/world.ts";

export interface PrestateConfig {
  diffMode?: boolean;
  disableCode?: boolean;
  disableStorage?: boolean;
}

export interface AccountState {
  balance?: string;
  nonce?: number;
  code?: string;
  storage?: Record<string, string>;
}

const ADDRESS_MASK = (1n << 160n) - 1n;

export class PrestateTracer implements EvmTracer {
  private readonly touched = new Set<bigint>();
  private readonly slots = new Map<bigint, Set<bigint>>();
  private readonly created = new Set<bigint>();

  /**
   * `pre`: the world as it was before the transaction (a copy: the execution changes the one it runs on).
   * `always`: accounts every transaction touches (sender, recipient, the block's coinbase).
   */
  constructor(private readonly pre: WorldState, private readonly config: PrestateConfig = {}, always: bigint[] = []) {
    for (const a of always) this.touched.add(a);
  }

  private touch(address: bigint): void {
    this.touched.add(address & ADDRESS_MASK);
  }

  onEnter(msg: Message): void {
    this.touch(msg.caller);
    this.touch(msg.address);
    if (msg.codeAddress !== msg.address) this.touch(msg.codeAddress);
    if (msg.kind === CallKind.Create || msg.kind === CallKind.Create2) {
      if (!this.pre.exists(msg.address)) this.created.add(msg.address);
    }
  }

  onExit(_msg: Message, _result: ExecResult): void {}

  onStep(frame: Frame, _pc: number, op: number, _gas: number, stack: readonly bigint[]): void {
    const top = stack.length - 1;
    if (top < 0) return;
    switch (op) {
      case Op.SLOAD:
      case Op.SSTORE: {
        const address = frame.message.address;
        let slots = this.slots.get(address);
        if (!slots) this.slots.set(address, slots = new Set());
        slots.add(stack[top]);
        break;
      }
      case Op.BALANCE:
      case Op.EXTCODESIZE:
      case Op.EXTCODECOPY:
      case Op.EXTCODEHASH:
      case Op.SELFDESTRUCT:
        this.touch(stack[top]);
        break;
      case Op.CALL:
      case Op.CALLCODE:
      case Op.DELEGATECALL:
      case Op.STATICCALL:
        if (top >= 1) this.touch(stack[top - 1]);
        break;
    }
  }

  private stateOf(world: WorldState, address: bigint, slots: Iterable<bigint>, includeZeroSlots: boolean): AccountState {
    const out: AccountState = { balance: bigIntToHex(world.getBalance(address)) };
    const nonce = world.getNonce(address);
    if (nonce !== 0n) out.nonce = Number(nonce);
    const code = world.getCode(address);
    if (code.length > 0 && !this.config.disableCode) out.code = bytesToHex(code);
    if (!this.config.disableStorage) {
      const storage: Record<string, string> = {};
      for (const slot of slots) {
        const value = world.getStorage(address, slot);
        if (value !== 0n || includeZeroSlots) storage[hexWord(slot)] = hexWord(value);
      }
      if (Object.keys(storage).length > 0) out.storage = storage;
    }
    return out;
  }

  /** Whether the execution created the account (CREATE, CREATE2). */
  wasCreated(address: bigint): boolean {
    return this.created.has(address);
  }

  /** Every account the execution touched. */
  touchedAccounts(): Iterable<bigint> {
    return this.touched;
  }

  /** The storage slots of `address` it read or wrote. */
  touchedSlots(address: bigint): Iterable<bigint> {
    return this.slots.get(address) ?? [];
  }

  /** The trace, given the world after the execution. */
  result(post: WorldState): Record<string, AccountState> | { pre: Record<string, AccountState>; post: Record<string, AccountState> } {
    const addresses = [...this.touched].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    if (!this.config.diffMode) {
      const out: Record<string, AccountState> = {};
      // Every account the execution loaded, an absent one (a precompile, say) as an empty one, as anvil does.
      for (const a of addresses) out[hexAddress(a)] = this.stateOf(this.pre, a, this.slots.get(a) ?? [], true);
      return out;
    }
    const pre: Record<string, AccountState> = {};
    const postOut: Record<string, AccountState> = {};
    for (const a of addresses) {
      // An account the transaction created is new; any other counts as there before (absent: empty), as geth has it.
      const existedBefore = !this.created.has(a);
      const existsAfter = post.exists(a);
      if (!existedBefore && !existsAfter) continue;
      const slots = [...(this.slots.get(a) ?? [])];
      const changedSlots = slots.filter((s) => this.pre.getStorage(a, s) !== post.getStorage(a, s));
      if (existedBefore && !existsAfter) {
        pre[hexAddress(a)] = this.stateOf(this.pre, a, changedSlots, false);
        continue;
      }
      const after: AccountState = {};
      if (!existedBefore || this.pre.getBalance(a) !== post.getBalance(a)) {
        if (post.getBalance(a) !== 0n || existedBefore) after.balance = bigIntToHex(post.getBalance(a));
      }
      if (this.pre.getNonce(a) !== post.getNonce(a)) after.nonce = Number(post.getNonce(a));
      const codeAfter = post.getCode(a);
      if (!bytesEqual(this.pre.getCode(a), codeAfter) && !this.config.disableCode && codeAfter.length > 0) {
        after.code = bytesToHex(codeAfter);
      }
      if (!this.config.disableStorage) {
        const storage: Record<string, string> = {};
        for (const s of changedSlots) {
          const v = post.getStorage(a, s);
          if (v !== 0n) storage[hexWord(s)] = hexWord(v);
        }
        if (Object.keys(storage).length > 0) after.storage = storage;
      }
      const modified = Object.keys(after).length > 0 || changedSlots.length > 0;
      if (!modified) continue;
      if (existedBefore) pre[hexAddress(a)] = this.stateOf(this.pre, a, changedSlots, false);
      postOut[hexAddress(a)] = after;
    }
    return { post: postOut, pre };
  }
}
