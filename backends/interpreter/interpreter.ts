/**
 * The reference backend: a switch over opcodes with 256-bit words as bigints.
 * Static gas comes from the fork table; everything touching state goes
 * through the shared host operations in src/evm/host_ops.ts.
 * Its stack checks are written from src/forks/opcodes.ts by `deno task gen:stack-checks`.
 */
import type { Backend } from "../backend.ts";
import { CHECK_EVERY, checkDeadline } from "../../src/evm/interrupt.ts";
import type { Host } from "../../src/evm/host.ts";
import type { Frame } from "../../src/evm/frame.ts";
import { CallKind, EvmHalt } from "../../src/evm/message.ts";
import { expCost, keccakWordsCost } from "../../src/evm/gas.ts";
import {
  calldataWord, opBalance, opCall, opCreate, opDataCopy, opExtcodecopy, opExtcodehash, opExtcodesize, opLog, opMcopy,
  opSelfdestruct, opSload, opSstore, opTload, opTstore, outOfGas, toMemoryRange,
} from "../../src/evm/host_ops.ts";
import { keccak256Word } from "../../src/primitives/hash.ts";
import { STACK_LIMIT } from "../../src/forks/opcodes.ts";
import { analyse, jumpdestsOf, pushValueAt } from "./analysis.ts";
import { readWord, toSigned, u256Exp, writeWord } from "../../src/primitives/u256.ts";
import { EMPTY_BYTES as EMPTY } from "../../src/primitives/byte_slab.ts";

const M = (1n << 256n) - 1n;
const SIGN = 1n << 255n;
/** SIGNEXTEND(b, x) for b < 31: the sign bit of byte b, the bits at and below it, and those above. */
const SIGNEXTEND_SIGN: bigint[] = [];
const SIGNEXTEND_LOW: bigint[] = [];
const SIGNEXTEND_HIGH: bigint[] = [];
// Plain loops rather than Array.from/map: under Bun those built-ins cost more to get going at start than the tables.
for (let b = 0; b < 31; b++) {
  SIGNEXTEND_SIGN.push(1n << BigInt(8 * b + 7));
  SIGNEXTEND_LOW.push((1n << BigInt(8 * b + 8)) - 1n);
  SIGNEXTEND_HIGH.push(M ^ SIGNEXTEND_LOW[b]);
}
const TWO256 = 1n << 256n;

/** One stack per depth, reused: frames at one depth never overlap. */
const stacks: bigint[][] = [];
function stackFor(depth: number): bigint[] {
  let s = stacks[depth];
  if (!s) stacks[depth] = s = new Array<bigint>(STACK_LIMIT).fill(0n);
  return s;
}

function clz(x: bigint): bigint {
  if (x === 0n) return 256n;
  return BigInt(256 - x.toString(2).length);
}

function halt(reason: string): never {
  throw new EvmHalt(reason);
}

export class Interpreter implements Backend {
  readonly name = "interpreter";

  run(frame: Frame, evm: Host): { status: "success" | "revert"; output: Uint8Array } {
    const msg = frame.message;
    const code = msg.code;
    const codeLen = code.length;
    const codeLenBig = BigInt(codeLen);
    const analysis = analyse(code);
    let pushValues = analysis.pushValues;
    let jumpdests = analysis.jumpdests;
    const staticGas = evm.rules.staticGas;
    const rules = evm.rules;
    const stack = stackFor(msg.depth);
    const tracer = evm.tracer?.onStep ? evm.tracer : undefined;
    let sp = 0;
    let pc = 0;
    let gas = frame.gas;
    let a: bigint, b: bigint, c: bigint;
    /** JUMPDESTs until the next look at the execution deadline (src/evm/interrupt.ts). */
    let ticks = CHECK_EVERY;

    // Shared host operations read and charge frame.gas; keep it in sync around them.
    const sync = () => (frame.gas = gas);
    const resync = () => (gas = frame.gas);

    while (true) {
      const op = pc < codeLen ? code[pc] : 0;
      const sg = staticGas[op];
      if (sg < 0) halt(`invalid opcode 0x${op.toString(16).padStart(2, "0")}`);
      if (tracer) {
        frame.gas = gas;
        tracer.onStep!(frame, pc, op, gas, stack.slice(0, sp), msg.depth);
      }
      if (gas < sg) {
        frame.gas = gas;
        if (!frame.refill(sg)) outOfGas();
        gas = frame.gas;
      }
      gas -= sg;

      switch (op) {
        case 0x00: // STOP
          frame.gas = gas;
          return { status: "success", output: EMPTY };
        case 0x01: // ADD
          if (sp < 2) halt("stack underflow");
          sp--;
          a = stack[sp] + stack[sp - 1];
          stack[sp - 1] = a > M ? a - TWO256 : a;
          break;
        case 0x02: // MUL
          if (sp < 2) halt("stack underflow");
          sp--;
          a = stack[sp] * stack[sp - 1];
          stack[sp - 1] = a > M ? a & M : a;
          break;
        case 0x03: // SUB
          if (sp < 2) halt("stack underflow");
          sp--;
          a = stack[sp] - stack[sp - 1];
          stack[sp - 1] = a < 0n ? a + TWO256 : a;
          break;
        case 0x04: // DIV
          if (sp < 2) halt("stack underflow");
          sp--;
          b = stack[sp - 1];
          stack[sp - 1] = b === 0n ? 0n : stack[sp] / b;
          break;
        case 0x05: // SDIV
          if (sp < 2) halt("stack underflow");
          sp--;
          b = stack[sp - 1];
          stack[sp - 1] = b === 0n ? 0n : (toSigned(stack[sp]) / toSigned(b)) & M;
          break;
        case 0x06: // MOD
          if (sp < 2) halt("stack underflow");
          sp--;
          b = stack[sp - 1];
          stack[sp - 1] = b === 0n ? 0n : stack[sp] % b;
          break;
        case 0x07: // SMOD
          if (sp < 2) halt("stack underflow");
          sp--;
          b = stack[sp - 1];
          stack[sp - 1] = b === 0n ? 0n : (toSigned(stack[sp]) % toSigned(b)) & M;
          break;
        case 0x08: // ADDMOD
          if (sp < 3) halt("stack underflow");
          sp -= 2;
          c = stack[sp - 1];
          stack[sp - 1] = c === 0n ? 0n : (stack[sp + 1] + stack[sp]) % c;
          break;
        case 0x09: // MULMOD
          if (sp < 3) halt("stack underflow");
          sp -= 2;
          c = stack[sp - 1];
          stack[sp - 1] = c === 0n ? 0n : (stack[sp + 1] * stack[sp]) % c;
          break;
        case 0x0a: { // EXP
          if (sp < 2) halt("stack underflow");
          sp--;
          b = stack[sp - 1];
          const cost = expCost(rules, b);
          if (gas < cost) {
            frame.gas = gas;
            if (!frame.refill(cost)) outOfGas();
            gas = frame.gas;
          }
          gas -= cost;
          stack[sp - 1] = u256Exp(stack[sp], b);
          break;
        }
        case 0x0b: // SIGNEXTEND
          if (sp < 2) halt("stack underflow");
          sp--;
          a = stack[sp];
          if (a < 31n) {
            const i = Number(a);
            const x = stack[sp - 1];
            stack[sp - 1] = x & SIGNEXTEND_SIGN[i] ? x | SIGNEXTEND_HIGH[i] : x & SIGNEXTEND_LOW[i];
          }
          break;
        case 0x10: // LT
          if (sp < 2) halt("stack underflow");
          sp--;
          stack[sp - 1] = stack[sp] < stack[sp - 1] ? 1n : 0n;
          break;
        case 0x11: // GT
          if (sp < 2) halt("stack underflow");
          sp--;
          stack[sp - 1] = stack[sp] > stack[sp - 1] ? 1n : 0n;
          break;
        case 0x12: // SLT
          if (sp < 2) halt("stack underflow");
          sp--;
          stack[sp - 1] = toSigned(stack[sp]) < toSigned(stack[sp - 1]) ? 1n : 0n;
          break;
        case 0x13: // SGT
          if (sp < 2) halt("stack underflow");
          sp--;
          stack[sp - 1] = toSigned(stack[sp]) > toSigned(stack[sp - 1]) ? 1n : 0n;
          break;
        case 0x14: // EQ
          if (sp < 2) halt("stack underflow");
          sp--;
          stack[sp - 1] = stack[sp] === stack[sp - 1] ? 1n : 0n;
          break;
        case 0x15: // ISZERO
          if (sp < 1) halt("stack underflow");
          stack[sp - 1] = stack[sp - 1] === 0n ? 1n : 0n;
          break;
        case 0x16: // AND
          if (sp < 2) halt("stack underflow");
          sp--;
          stack[sp - 1] = stack[sp] & stack[sp - 1];
          break;
        case 0x17: // OR
          if (sp < 2) halt("stack underflow");
          sp--;
          stack[sp - 1] = stack[sp] | stack[sp - 1];
          break;
        case 0x18: // XOR
          if (sp < 2) halt("stack underflow");
          sp--;
          stack[sp - 1] = stack[sp] ^ stack[sp - 1];
          break;
        case 0x19: // NOT
          if (sp < 1) halt("stack underflow");
          stack[sp - 1] = M ^ stack[sp - 1];
          break;
        case 0x1a: // BYTE
          if (sp < 2) halt("stack underflow");
          sp--;
          a = stack[sp];
          stack[sp - 1] = a < 32n ? (stack[sp - 1] >> (248n - a * 8n)) & 0xffn : 0n;
          break;
        case 0x1b: // SHL
          if (sp < 2) halt("stack underflow");
          sp--;
          a = stack[sp];
          stack[sp - 1] = a < 256n ? (stack[sp - 1] << a) & M : 0n;
          break;
        case 0x1c: // SHR
          if (sp < 2) halt("stack underflow");
          sp--;
          a = stack[sp];
          stack[sp - 1] = a < 256n ? stack[sp - 1] >> a : 0n;
          break;
        case 0x1d: // SAR
          if (sp < 2) halt("stack underflow");
          sp--;
          a = stack[sp];
          b = stack[sp - 1];
          if (a < 256n) stack[sp - 1] = (toSigned(b) >> a) & M;
          else stack[sp - 1] = b >= SIGN ? M : 0n;
          break;
        case 0x1e: // CLZ
          if (sp < 1) halt("stack underflow");
          stack[sp - 1] = clz(stack[sp - 1]);
          break;
        case 0x20: { // KECCAK256
          if (sp < 2) halt("stack underflow");
          sp--;
          const [off, len] = toMemoryRange(stack[sp], stack[sp - 1]);
          frame.gas = gas;
          if (!frame.useGas(keccakWordsCost(len)) || !frame.expandMemory(off, len)) outOfGas();
          gas = frame.gas;
          stack[sp - 1] = keccak256Word(frame.memory.subarray(off, off + len));
          break;
        }
        case 0x30: // ADDRESS
          if (sp >= STACK_LIMIT) halt("stack overflow");
          stack[sp++] = msg.address;
          break;
        case 0x31: // BALANCE
          if (sp < 1) halt("stack underflow");
          sync();
          stack[sp - 1] = opBalance(evm, frame, stack[sp - 1]);
          resync();
          break;
        case 0x32: // ORIGIN
          if (sp >= STACK_LIMIT) halt("stack overflow");
          stack[sp++] = evm.tx.origin;
          break;
        case 0x33: // CALLER
          if (sp >= STACK_LIMIT) halt("stack overflow");
          stack[sp++] = msg.caller;
          break;
        case 0x34: // CALLVALUE
          if (sp >= STACK_LIMIT) halt("stack overflow");
          stack[sp++] = msg.value;
          break;
        case 0x35: // CALLDATALOAD
          if (sp < 1) halt("stack underflow");
          stack[sp - 1] = calldataWord(msg.input, stack[sp - 1]);
          break;
        case 0x36: // CALLDATASIZE
          if (sp >= STACK_LIMIT) halt("stack overflow");
          stack[sp++] = BigInt(msg.input.length);
          break;
        case 0x37: // CALLDATACOPY
        case 0x39: // CODECOPY
        case 0x3e: { // RETURNDATACOPY
          if (sp < 3) halt("stack underflow");
          sp -= 3;
          sync();
          opDataCopy(frame, op, stack[sp + 2], stack[sp + 1], stack[sp]);
          resync();
          break;
        }
        case 0x38: // CODESIZE
          if (sp >= STACK_LIMIT) halt("stack overflow");
          stack[sp++] = codeLenBig;
          break;
        case 0x3a: // GASPRICE
          if (sp >= STACK_LIMIT) halt("stack overflow");
          stack[sp++] = evm.tx.gasPrice;
          break;
        case 0x3b: // EXTCODESIZE
          if (sp < 1) halt("stack underflow");
          sync();
          stack[sp - 1] = opExtcodesize(evm, frame, stack[sp - 1]);
          resync();
          break;
        case 0x3c: // EXTCODECOPY
          if (sp < 4) halt("stack underflow");
          sp -= 4;
          sync();
          opExtcodecopy(evm, frame, stack[sp + 3], stack[sp + 2], stack[sp + 1], stack[sp]);
          resync();
          break;
        case 0x3d: // RETURNDATASIZE
          if (sp >= STACK_LIMIT) halt("stack overflow");
          stack[sp++] = BigInt(frame.returnData.length);
          break;
        case 0x3f: // EXTCODEHASH
          if (sp < 1) halt("stack underflow");
          sync();
          stack[sp - 1] = opExtcodehash(evm, frame, stack[sp - 1]);
          resync();
          break;
        case 0x40: // BLOCKHASH
          if (sp < 1) halt("stack underflow");
          stack[sp - 1] = evm.blockHash(stack[sp - 1]);
          break;
        case 0x41: // COINBASE
          if (sp >= STACK_LIMIT) halt("stack overflow");
          stack[sp++] = evm.block.coinbase;
          break;
        case 0x42: // TIMESTAMP
          if (sp >= STACK_LIMIT) halt("stack overflow");
          stack[sp++] = evm.block.timestamp;
          break;
        case 0x43: // NUMBER
          if (sp >= STACK_LIMIT) halt("stack overflow");
          stack[sp++] = evm.block.number;
          break;
        case 0x44: // PREVRANDAO (DIFFICULTY before the merge)
          if (sp >= STACK_LIMIT) halt("stack overflow");
          stack[sp++] = rules.prevRandao ? evm.block.prevRandao : evm.block.difficulty;
          break;
        case 0x45: // GASLIMIT
          if (sp >= STACK_LIMIT) halt("stack overflow");
          stack[sp++] = evm.block.gasLimit;
          break;
        case 0x46: // CHAINID
          if (sp >= STACK_LIMIT) halt("stack overflow");
          stack[sp++] = evm.block.chainId;
          break;
        case 0x47: // SELFBALANCE
          if (sp >= STACK_LIMIT) halt("stack overflow");
          stack[sp++] = evm.world.getBalance(msg.address);
          break;
        case 0x48: // BASEFEE
          if (sp >= STACK_LIMIT) halt("stack overflow");
          stack[sp++] = evm.block.baseFee;
          break;
        case 0x49: { // BLOBHASH
          if (sp < 1) halt("stack underflow");
          const i = stack[sp - 1];
          const hashes = evm.tx.blobHashes;
          stack[sp - 1] = i < BigInt(hashes.length) ? hashes[Number(i)] : 0n;
          break;
        }
        case 0x4a: // BLOBBASEFEE
          if (sp >= STACK_LIMIT) halt("stack overflow");
          stack[sp++] = evm.block.blobBaseFee;
          break;
        case 0x50: // POP
          if (sp < 1) halt("stack underflow");
          sp--;
          break;
        case 0x51: { // MLOAD
          if (sp < 1) halt("stack underflow");
          a = stack[sp - 1];
          if (a > 0xffffffffn) outOfGas();
          const off = Number(a);
          if (off + 32 > frame.memorySize) {
            frame.gas = gas;
            if (!frame.expandMemory(off, 32)) outOfGas();
            gas = frame.gas;
          }
          stack[sp - 1] = readWord(frame.view, off);
          break;
        }
        case 0x52: { // MSTORE
          if (sp < 2) halt("stack underflow");
          sp -= 2;
          a = stack[sp + 1];
          if (a > 0xffffffffn) outOfGas();
          const off = Number(a);
          if (off + 32 > frame.memorySize) {
            frame.gas = gas;
            if (!frame.expandMemory(off, 32)) outOfGas();
            gas = frame.gas;
          }
          writeWord(frame.view, off, stack[sp]);
          break;
        }
        case 0x53: { // MSTORE8
          if (sp < 2) halt("stack underflow");
          sp -= 2;
          a = stack[sp + 1];
          if (a > 0xffffffffn) outOfGas();
          const off = Number(a);
          if (off + 1 > frame.memorySize) {
            frame.gas = gas;
            if (!frame.expandMemory(off, 1)) outOfGas();
            gas = frame.gas;
          }
          frame.memory[off] = Number(stack[sp] & 0xffn);
          break;
        }
        case 0x54: // SLOAD
          if (sp < 1) halt("stack underflow");
          sync();
          stack[sp - 1] = opSload(evm, frame, stack[sp - 1]);
          resync();
          break;
        case 0x55: // SSTORE
          if (sp < 2) halt("stack underflow");
          sp -= 2;
          sync();
          opSstore(evm, frame, stack[sp + 1], stack[sp]);
          resync();
          break;
        case 0x56: // JUMP
          if (sp < 1) halt("stack underflow");
          a = stack[--sp];
          jumpdests ??= jumpdestsOf(code, analysis);
          if (a >= codeLenBig || !jumpdests[Number(a)]) halt("invalid jump destination");
          pc = Number(a);
          continue;
        case 0x57: // JUMPI
          if (sp < 2) halt("stack underflow");
          sp -= 2;
          if (stack[sp] !== 0n) {
            a = stack[sp + 1];
            jumpdests ??= jumpdestsOf(code, analysis);
            if (a >= codeLenBig || !jumpdests[Number(a)]) halt("invalid jump destination");
            pc = Number(a);
            continue;
          }
          break;
        case 0x58: // PC
          if (sp >= STACK_LIMIT) halt("stack overflow");
          stack[sp++] = BigInt(pc);
          break;
        case 0x59: // MSIZE
          if (sp >= STACK_LIMIT) halt("stack overflow");
          stack[sp++] = BigInt(frame.memorySize);
          break;
        case 0x5a: // GAS
          if (sp >= STACK_LIMIT) halt("stack overflow");
          stack[sp++] = frame.gasReserve === 0n ? BigInt(gas) : BigInt(gas) + frame.gasReserve;
          break;
        case 0x5b: // JUMPDEST
          if (--ticks < 0) {
            ticks = CHECK_EVERY;
            checkDeadline();
          }
          break;
        case 0x5c: // TLOAD
          if (sp < 1) halt("stack underflow");
          stack[sp - 1] = opTload(evm, frame, stack[sp - 1]);
          break;
        case 0x5d: // TSTORE
          if (sp < 2) halt("stack underflow");
          sp -= 2;
          opTstore(evm, frame, stack[sp + 1], stack[sp]);
          break;
        case 0x5e: { // MCOPY
          if (sp < 3) halt("stack underflow");
          sp -= 3;
          sync();
          opMcopy(frame, stack[sp + 2], stack[sp + 1], stack[sp]);
          resync();
          break;
        }
        case 0x5f: // PUSH0
          if (sp >= STACK_LIMIT) halt("stack overflow");
          stack[sp++] = 0n;
          break;
        case 0xa0: case 0xa1: case 0xa2: case 0xa3: case 0xa4: { // LOG0..LOG4
          const n = op - 0xa0;
          if (sp < n + 2) halt("stack underflow");
          sp -= 2;
          const off = stack[sp + 1], size = stack[sp];
          const topics: bigint[] = [];
          for (let i = 0; i < n; i++) topics.push(stack[--sp]);
          sync();
          opLog(evm, frame, off, size, topics);
          resync();
          break;
        }
        case 0xf0: // CREATE
        case 0xf5: { // CREATE2
          const isCreate2 = op === 0xf5;
          const need = isCreate2 ? 4 : 3;
          if (sp < need) halt("stack underflow");
          sp -= need;
          const value = stack[sp + need - 1], off = stack[sp + need - 2], size = stack[sp + need - 3];
          const salt = isCreate2 ? stack[sp] : 0n;
          sync();
          stack[sp++] = opCreate(evm, frame, isCreate2 ? CallKind.Create2 : CallKind.Create, value, off, size, salt);
          resync();
          break;
        }
        case 0xf1: // CALL
        case 0xf2: // CALLCODE
        case 0xf4: // DELEGATECALL
        case 0xfa: { // STATICCALL
          const hasValue = op === 0xf1 || op === 0xf2;
          const need = hasValue ? 7 : 6;
          if (sp < need) halt("stack underflow");
          sp -= need;
          let i = sp + need - 1;
          const gasArg = stack[i--];
          const target = stack[i--];
          const value = hasValue ? stack[i--] : 0n;
          const inOffset = stack[i--], inSize = stack[i--], outOffset = stack[i--], outSize = stack[i--];
          const kind = op === 0xf1
            ? CallKind.Call
            : op === 0xf2
            ? CallKind.CallCode
            : op === 0xf4
            ? CallKind.DelegateCall
            : CallKind.StaticCall;
          sync();
          stack[sp++] = opCall(evm, frame, kind, { gas: gasArg, target, value, inOffset, inSize, outOffset, outSize });
          resync();
          break;
        }
        case 0xf3: // RETURN
        case 0xfd: { // REVERT
          if (sp < 2) halt("stack underflow");
          sp -= 2;
          const [off, len] = toMemoryRange(stack[sp + 1], stack[sp]);
          frame.gas = gas;
          if (!frame.expandMemory(off, len)) outOfGas();
          return { status: op === 0xf3 ? "success" : "revert", output: frame.readMemory(off, len) };
        }
        case 0xfe: // INVALID
          halt("invalid opcode 0xfe");
          break;
        case 0xff: // SELFDESTRUCT
          if (sp < 1) halt("stack underflow");
          sync();
          opSelfdestruct(evm, frame, stack[--sp]);
          return { status: "success", output: EMPTY };
        default:
          if (op >= 0x60 && op <= 0x7f) { // PUSH1..PUSH32
            if (sp >= STACK_LIMIT) halt("stack overflow");
            let v = pushValues?.[pc];
            if (v === undefined) {
              v = pushValueAt(code, analysis, pc);
              pushValues = analysis.pushValues;
            }
            stack[sp++] = v;
            pc += op - 0x5e;
            continue;
          }
          if (op >= 0x80 && op <= 0x8f) { // DUP1..DUP16
            const n = op - 0x7f;
            if (sp < n) halt("stack underflow");
            if (sp >= STACK_LIMIT) halt("stack overflow");
            stack[sp] = stack[sp - n];
            sp++;
            break;
          }
          if (op >= 0x90 && op <= 0x9f) { // SWAP1..SWAP16
            const n = op - 0x8f;
            if (sp < n + 1) halt("stack underflow");
            a = stack[sp - 1];
            stack[sp - 1] = stack[sp - 1 - n];
            stack[sp - 1 - n] = a;
            break;
          }
          halt(`invalid opcode 0x${op.toString(16).padStart(2, "0")}`);
      }
      pc++;
    }
  }
}
