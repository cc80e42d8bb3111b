/**
 * Records the addresses and storage slots a call touches, for
 * eth_createAccessList. The sender, the recipient and the precompiles are
 * left out as addresses (they are warm anyway); slots are kept for all.
 */
import type { EvmTracer } from "../evm/evm.ts";
import type { Frame } from "../evm/frame.ts";
import { Op } from "../forks/opcodes.ts";
import type { AccessListEntry } from "../tx/transaction.ts";

const ADDRESS_MASK = (1n << 160n) - 1n;

export class AccessListTracer implements EvmTracer {
  private entries = new Map<bigint, Set<bigint>>();

  constructor(private readonly excluded: Set<bigint>, initial: AccessListEntry[] = []) {
    for (const e of initial) {
      const slots = this.slotsOf(e.address);
      for (const k of e.storageKeys) slots.add(k);
    }
  }

  private slotsOf(address: bigint): Set<bigint> {
    let s = this.entries.get(address);
    if (!s) this.entries.set(address, s = new Set());
    return s;
  }

  private touchAddress(word: bigint): void {
    const address = word & ADDRESS_MASK;
    if (!this.excluded.has(address)) this.slotsOf(address);
  }

  onStep(frame: Frame, _pc: number, op: number, _gas: number, stack: readonly bigint[]): void {
    const top = stack.length - 1;
    switch (op) {
      case Op.SLOAD:
      case Op.SSTORE:
        if (top >= 0) this.slotsOf(frame.message.address).add(stack[top]);
        break;
      case Op.EXTCODECOPY:
      case Op.EXTCODEHASH:
      case Op.EXTCODESIZE:
      case Op.BALANCE:
      case Op.SELFDESTRUCT:
        if (top >= 0) this.touchAddress(stack[top]);
        break;
      case Op.CALL:
      case Op.CALLCODE:
      case Op.DELEGATECALL:
      case Op.STATICCALL:
        if (top >= 1) this.touchAddress(stack[top - 1]);
        break;
    }
  }

  accessList(): AccessListEntry[] {
    return [...this.entries].map(([address, slots]) => ({
      address,
      storageKeys: [...slots].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
    }));
  }
}
