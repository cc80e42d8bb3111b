/**
 * Semantics of the instructions that reach state or other frames, shared by
 * every backend so that gas and behaviour have one source of truth. Each takes
 * the Host (host.ts), the frame (whose gas the backend has synchronised) and the
 * popped operands, charges dynamic gas, and throws EvmHalt on an exceptional halt.
 */
import { type Host, STACK_DEPTH_LIMIT } from "./host.ts";
import type { Frame } from "./frame.ts";
import { CallKind, EvmHalt, type Message } from "./message.ts";
import { ADDRESS_MASK, create2Address, createAddress, delegationTarget } from "./address.ts";
import { copyCost, initcodeCost, keccakWordsCost, logDataCost, maxCallGas, sstoreCharge } from "./gas.ts";
import { bytesToBigInt } from "../primitives/hex.ts";
import { EMPTY_CODE_HASH } from "../primitives/hash.ts";
import { EMPTY_BYTES as EMPTY } from "../primitives/byte_slab.ts";
import { readWord } from "../primitives/u256.ts";
import { Op } from "../forks/opcodes.ts";

const MAX_NONCE = (1n << 64n) - 1n;

export function outOfGas(): never {
  throw new EvmHalt("out of gas");
}

function charge(frame: Frame, cost: number): void {
  if (!frame.useGas(cost)) outOfGas();
}

/** Memory offsets and sizes come as words; anything past 2^32 can never be paid for. */
export function toMemoryRange(offset: bigint, size: bigint): [number, number] {
  if (size === 0n) return [0, 0];
  if (offset > 0xffffffffn || size > 0xffffffffn) outOfGas();
  return [Number(offset), Number(size)];
}

/** The cold-access surcharge over the warm price already paid as static gas (EIP-2929). */
function accountAccessSurcharge(evm: Host, address: bigint): number {
  const rules = evm.rules;
  if (!rules.accessLists) return 0;
  return evm.world.warmAddress(address) ? 0 : rules.coldAccountAccessGas - rules.warmStorageReadGas;
}

export function opSload(evm: Host, frame: Frame, slot: bigint): bigint {
  const rules = evm.rules;
  const address = frame.message.address;
  if (rules.accessLists && !evm.world.warmSlot(address, slot)) {
    charge(frame, rules.coldSloadGas - rules.warmStorageReadGas);
  }
  return evm.world.getStorage(address, slot);
}

export function opSstore(evm: Host, frame: Frame, slot: bigint, value: bigint): void {
  const rules = evm.rules;
  const world = evm.world;
  const address = frame.message.address;
  if (frame.message.isStatic) throw new EvmHalt("state change in static context");
  // EIP-2200's sentry; the number part of the gas left above it puts the whole above it, without BigInt.
  const sentry = rules.sstoreSentryGas;
  if (sentry && frame.gas <= sentry && frame.gasLeft() <= BigInt(sentry)) outOfGas();
  let cost = 0;
  if (rules.accessLists && !world.warmSlot(address, slot)) cost += rules.coldSloadGas;
  const current = world.getStorage(address, slot);
  const recorded = world.recordedOriginal(address, slot);
  const original = rules.sstoreRule === "frontier" ? current : recorded ?? current;
  const c = sstoreCharge(rules, original, current, value);
  charge(frame, cost + c.gas);
  if (c.refund !== 0) world.addRefund(c.refund);
  world.setStorage(address, slot, value, current, recorded !== undefined);
}

export function opTload(evm: Host, frame: Frame, slot: bigint): bigint {
  return evm.world.getTransient(frame.message.address, slot);
}

export function opTstore(evm: Host, frame: Frame, slot: bigint, value: bigint): void {
  if (frame.message.isStatic) throw new EvmHalt("state change in static context");
  evm.world.setTransient(frame.message.address, slot, value);
}

export function opBalance(evm: Host, frame: Frame, word: bigint): bigint {
  const address = word & ADDRESS_MASK;
  charge(frame, accountAccessSurcharge(evm, address));
  return evm.world.getBalance(address);
}

export function opExtcodesize(evm: Host, frame: Frame, word: bigint): bigint {
  const address = word & ADDRESS_MASK;
  charge(frame, accountAccessSurcharge(evm, address));
  return BigInt(evm.world.getCode(address).length);
}

export function opExtcodehash(evm: Host, frame: Frame, word: bigint): bigint {
  const address = word & ADDRESS_MASK;
  charge(frame, accountAccessSurcharge(evm, address));
  const acc = evm.world.getAccount(address);
  if (!acc || (evm.rules.eip158 && acc.isEmpty())) return 0n;
  return bytesToBigInt(acc.codeHash);
}

export function opExtcodecopy(
  evm: Host, frame: Frame, word: bigint, memOffset: bigint, codeOffset: bigint, size: bigint,
): void {
  const address = word & ADDRESS_MASK;
  const [off, len] = toMemoryRange(memOffset, size);
  charge(frame, copyCost(len) + accountAccessSurcharge(evm, address));
  if (!frame.expandMemory(off, len)) outOfGas();
  if (len === 0) return;
  copyPadded(frame.memory, off, evm.world.getCode(address), codeOffset, len);
}

/** Copies `len` bytes of `src` from `srcOffset` into `dst` at `dstOffset`, zero-filling past the end of src. */
export function copyPadded(dst: Uint8Array, dstOffset: number, src: Uint8Array, srcOffset: bigint, len: number): void {
  const start = srcOffset > BigInt(src.length) ? src.length : Number(srcOffset);
  const avail = Math.min(len, src.length - start);
  if (avail > 0) dst.set(src.subarray(start, start + avail), dstOffset);
  if (avail < len) dst.fill(0, dstOffset + Math.max(avail, 0), dstOffset + len);
}

/** CALLDATALOAD: the 32 bytes of the input at `offset`, zeros past its end. */
export function calldataWord(input: Uint8Array, offset: bigint): bigint {
  if (offset >= BigInt(input.length)) return 0n;
  const o = Number(offset);
  if (o + 32 <= input.length) return readWord(new DataView(input.buffer, input.byteOffset + o, 32), 0);
  const buf = new Uint8Array(32);
  buf.set(input.subarray(o));
  return readWord(new DataView(buf.buffer), 0);
}

/** CALLDATACOPY, CODECOPY and RETURNDATACOPY (`op`): the frame's input, code or last return data into memory. */
export function opDataCopy(frame: Frame, op: number, memOffset: bigint, srcOffset: bigint, size: bigint): void {
  const [off, len] = toMemoryRange(memOffset, size);
  const msg = frame.message;
  const src = op === Op.CALLDATACOPY ? msg.input : op === Op.CODECOPY ? msg.code : frame.returnData;
  if (op === Op.RETURNDATACOPY && srcOffset + BigInt(len) > BigInt(src.length)) {
    throw new EvmHalt("return data out of bounds");
  }
  if (!frame.useGas(copyCost(len)) || !frame.expandMemory(off, len)) outOfGas();
  if (len > 0) copyPadded(frame.memory, off, src, srcOffset, len);
}

export function opMcopy(frame: Frame, dstOffset: bigint, srcOffset: bigint, size: bigint): void {
  const len = toMemoryRange(0n, size)[1];
  const [dst] = toMemoryRange(dstOffset, size);
  const [src] = toMemoryRange(srcOffset, size);
  if (!frame.useGas(copyCost(len))) outOfGas();
  if (len > 0 && !frame.expandMemory(Math.max(dst, src), len)) outOfGas();
  if (len > 0) frame.memory.copyWithin(dst, src, src + len);
}

export function opLog(evm: Host, frame: Frame, offset: bigint, size: bigint, topics: bigint[]): void {
  if (frame.message.isStatic) throw new EvmHalt("state change in static context");
  const [off, len] = toMemoryRange(offset, size);
  charge(frame, logDataCost(len));
  if (!frame.expandMemory(off, len)) outOfGas();
  if (!evm.keepLogs) return;
  const log = { address: frame.message.address, topics, data: frame.readMemory(off, len) };
  evm.world.addLog(log);
  evm.tracer?.onLog?.(log);
}

export function opSelfdestruct(evm: Host, frame: Frame, word: bigint): void {
  const rules = evm.rules;
  const world = evm.world;
  const beneficiary = word & ADDRESS_MASK;
  const self = frame.message.address;
  let cost = 0;
  if (rules.accessLists && !world.warmAddress(beneficiary)) cost += rules.coldAccountAccessGas;
  if (rules.eip150) {
    const balance = world.getBalance(self);
    const needsNewAccount = rules.eip158 ? world.isDead(beneficiary) && balance !== 0n : !world.exists(beneficiary);
    if (needsNewAccount) cost += rules.callNewAccountGas;
  }
  charge(frame, cost);
  if (frame.message.isStatic) throw new EvmHalt("state change in static context");
  if (rules.selfdestructRefund && !world.selfDestructs.has(self)) world.addRefund(rules.selfdestructRefund);
  const balance = world.getBalance(self);
  evm.tracer?.onSelfDestruct?.(self, beneficiary, balance);
  if (rules.selfdestructOnlyInSameTx) {
    if (beneficiary !== self) {
      world.setBalance(self, 0n);
      world.addBalance(beneficiary, balance);
    }
    if (world.createdInTx.has(self)) {
      world.setBalance(self, 0n);
      world.markSelfDestruct(self);
    }
  } else {
    world.addBalance(beneficiary, balance);
    world.setBalance(self, 0n);
    world.markSelfDestruct(self);
  }
  if (rules.eip158) world.touch(beneficiary);
}

export interface CallArgs {
  gas: bigint;
  target: bigint;
  value: bigint;
  inOffset: bigint;
  inSize: bigint;
  outOffset: bigint;
  outSize: bigint;
}

/** The CALL family. Returns the success word pushed on the stack; sets frame.returnData. */
export function opCall(evm: Host, frame: Frame, kind: CallKind, a: CallArgs): bigint {
  const rules = evm.rules;
  const world = evm.world;
  const parent = frame.message;
  const target = a.target & ADDRESS_MASK;
  const [inOff, inLen] = toMemoryRange(a.inOffset, a.inSize);
  const [outOff, outLen] = toMemoryRange(a.outOffset, a.outSize);
  const memCost = frame.memoryExpansionCost([inOff, inLen], [outOff, outLen]);
  if (kind === CallKind.Call && parent.isStatic && a.value !== 0n) {
    throw new EvmHalt("state change in static context");
  }

  let extra = 0;
  if (rules.accessLists && !world.warmAddress(target)) extra += rules.coldAccountAccessGas - rules.warmStorageReadGas;
  if (rules.setCodeTx) {
    const delegate = delegationTarget(world.getCode(target));
    if (delegate !== undefined) {
      extra += world.warmAddress(delegate) ? rules.warmStorageReadGas : rules.coldAccountAccessGas;
    }
  }
  const value = kind === CallKind.Call || kind === CallKind.CallCode ? a.value : 0n;
  if (value !== 0n) extra += rules.callValueTransferGas;
  if (kind === CallKind.Call) {
    const newAccount = rules.eip158 ? value !== 0n && world.isDead(target) : !world.exists(target);
    if (newAccount) extra += rules.callNewAccountGas;
  }

  let childGas: bigint;
  if (rules.eip150) {
    const left = frame.gasLeft();
    const upfront = BigInt(extra) + (Number.isFinite(memCost) ? BigInt(memCost) : left + 1n);
    if (left < upfront) outOfGas();
    const cap = maxCallGas(rules, left - upfront);
    childGas = a.gas < cap ? a.gas : cap;
    charge(frame, memCost + extra);
    frame.useGasBig(childGas);
  } else {
    const total = BigInt(extra) + a.gas + (Number.isFinite(memCost) ? BigInt(memCost) : frame.gasLeft() + 1n);
    if (frame.gasLeft() < total) outOfGas();
    frame.useGasBig(total);
    childGas = a.gas;
  }
  frame.growMemory([inOff, inLen], [outOff, outLen]);
  if (value !== 0n) childGas += BigInt(rules.callStipend);

  frame.returnData = EMPTY;
  if (parent.depth + 1 > STACK_DEPTH_LIMIT || (value !== 0n && world.getBalance(parent.address) < value)) {
    frame.returnGas(childGas);
    return 0n;
  }
  const input = frame.readMemory(inOff, inLen);
  const msg = evm.callMessage(parent, kind, target, value, input, childGas);
  const result = evm.executeMessage(msg);
  frame.returnGas(result.gasLeft);
  frame.returnData = result.output;
  if (outLen > 0 && result.output.length > 0) {
    const n = Math.min(outLen, result.output.length);
    frame.memory.set(result.output.subarray(0, n), outOff);
  }
  return result.status === "success" ? 1n : 0n;
}

/** CREATE and CREATE2. Returns the new address, or 0 on failure; sets frame.returnData. */
export function opCreate(
  evm: Host, frame: Frame, kind: CallKind, value: bigint, offset: bigint, size: bigint, salt: bigint,
): bigint {
  const rules = evm.rules;
  const world = evm.world;
  const parent = frame.message;
  const [off, len] = toMemoryRange(offset, size);
  if (rules.initcodeLimit && len > rules.initcodeLimit) outOfGas();
  let cost = initcodeCost(rules, len);
  if (kind === CallKind.Create2) cost += keccakWordsCost(len);
  charge(frame, cost);
  if (!frame.expandMemory(off, len)) outOfGas();
  if (parent.isStatic) throw new EvmHalt("state change in static context");
  const initcode = frame.readMemory(off, len);

  frame.returnData = EMPTY;
  const childGas = maxCallGas(rules, frame.gasLeft());
  frame.useGasBig(childGas);
  const self = parent.address;
  const nonce = world.getNonce(self);
  if (parent.depth + 1 > STACK_DEPTH_LIMIT || world.getBalance(self) < value || nonce >= MAX_NONCE) {
    frame.returnGas(childGas);
    return 0n;
  }
  const address = kind === CallKind.Create2 ? create2Address(self, salt, initcode) : createAddress(self, nonce);
  if (rules.accessLists) world.warmAddress(address);
  world.setNonce(self, nonce + 1n);
  if (hasCodeOrNonce(evm, address)) return 0n; // collision: the child's gas is gone
  const msg: Message = {
    kind,
    caller: self,
    address,
    codeAddress: address,
    value,
    transfersValue: true,
    input: EMPTY,
    gas: childGas,
    isStatic: false,
    depth: parent.depth + 1,
    code: initcode,
    disablePrecompiles: false,
  };
  const result = evm.executeCreate(msg);
  frame.returnGas(result.gasLeft);
  if (result.status === "success") return address;
  frame.returnData = result.status === "revert" ? result.output : EMPTY;
  return 0n;
}

/** An address is taken when it has code, a nonce, or storage (EIP-684, EIP-7610). */
export function hasCodeOrNonce(evm: Host, address: bigint): boolean {
  const acc = evm.world.getAccount(address);
  if (!acc) return false;
  if (acc.nonce !== 0n || acc.code.length !== 0) return true;
  return evm.world.hasStorage(address);
}

export { EMPTY_CODE_HASH };
