/**
 * The EVM host: runs messages (calls and creations) over the journaled world
 * state, with the active fork's rules, handing code to a backend. Backends
 * call back into it for everything that touches state or other frames.
 */
import type { Backend } from "../../backends/backend.ts";
import type { ForkRules } from "../forks/rules.ts";
import { Fork } from "../forks/fork.ts";
import type { WorldState } from "../state/world.ts";
import type { EvmTracer, Host } from "./host.ts";
import type { BlockEnv, TxEnv } from "./env.ts";
import { Frame } from "./frame.ts";
import { CallKind, EvmHalt, type ExecResult, type Message } from "./message.ts";
import { getPrecompile } from "./precompiles/index.ts";
import { ecrecoverWithOverrides } from "./precompiles/ecrecover.ts";
import type { Precompile } from "./precompiles/types.ts";
import { delegationTarget } from "./address.ts";
import { MAX_SAFE_GAS } from "./gas.ts";
import { frameStarted } from "./interrupt.ts";
import { EMPTY_BYTES as EMPTY } from "../primitives/byte_slab.ts";

export { type EvmTracer, STACK_DEPTH_LIMIT } from "./host.ts";
const MAX_PRECOMPILE_ADDRESS = 0x100n;

export class Evm implements Host {
  tracer: EvmTracer | undefined;
  /** False when nothing reads the logs (an eth_call): LOG then charges its gas and records nothing. */
  keepLogs = true;
  /** Precompiles by address in place of the fork's (state overrides can move or replace them); usually unset. */
  precompiles: ReadonlyMap<bigint, Precompile> | undefined = undefined;

  constructor(
    readonly world: WorldState,
    readonly rules: ForkRules,
    readonly block: BlockEnv,
    public tx: TxEnv,
    readonly backend: Backend,
  ) {}

  /** process_message: value transfer, then the code or precompile; undone on failure. */
  executeMessage(msg: Message): ExecResult {
    const world = this.world;
    const mark = world.checkpoint();
    this.tracer?.onEnter?.(msg);
    if (this.rules.eip158) world.touch(msg.address);
    else world.getOrCreate(msg.address);
    if (msg.transfersValue && msg.value !== 0n) {
      world.setBalance(msg.caller, world.getBalance(msg.caller) - msg.value);
      world.addBalance(msg.address, msg.value);
    }
    let result: ExecResult;
    const precompile = msg.disablePrecompiles
      ? undefined
      : this.precompiles !== undefined
      ? this.precompiles.get(msg.codeAddress)
      : msg.codeAddress <= MAX_PRECOMPILE_ADDRESS
      ? getPrecompile(Number(msg.codeAddress), this.rules.id)
      : undefined;
    if (precompile) {
      const gasLimit = msg.gas > BigInt(MAX_SAFE_GAS) ? MAX_SAFE_GAS : Number(msg.gas);
      const overrides = msg.codeAddress === 1n ? this.block.ecrecoverOverrides : undefined;
      const run = overrides !== undefined && overrides.size > 0 ? ecrecoverWithOverrides(overrides) : precompile;
      const r = run(msg.input, gasLimit, this.rules.id);
      result = r.ok
        ? { status: "success", gasLeft: msg.gas - BigInt(r.gasUsed), output: r.output }
        : { status: "halt", gasLeft: 0n, output: EMPTY, error: r.reason };
    } else {
      result = this.runCode(msg);
    }
    if (result.status !== "success") world.revertTo(mark);
    this.tracer?.onExit?.(msg, result);
    return result;
  }

  private runCode(msg: Message): ExecResult {
    if (msg.code.length === 0) return { status: "success", gasLeft: msg.gas, output: EMPTY };
    frameStarted();
    const frame = new Frame(msg);
    if (this.rules.memoryLimit !== undefined) return this.runWithinMemoryLimit(frame, this.rules.memoryLimit);
    return this.runFrame(frame);
  }

  /** The frames running under --memory-limit, outermost first: their memory counts against the limit together. */
  private limitedFrames?: Frame[];

  private runWithinMemoryLimit(frame: Frame, limit: number): ExecResult {
    const frames = (this.limitedFrames ??= []);
    let used = 0;
    for (const f of frames) used += f.memorySize;
    frame.memoryLimit = limit - used;
    frames.push(frame);
    try {
      return this.runFrame(frame);
    } finally {
      frames.pop();
    }
  }

  private runFrame(frame: Frame): ExecResult {
    try {
      const r = this.backend.run(frame, this);
      return { status: r.status, gasLeft: frame.gasLeft(), output: r.output };
    } catch (e) {
      if (e instanceof EvmHalt) return { status: "halt", gasLeft: 0n, output: EMPTY, error: e.message };
      // The host's native stack ran out before the EVM's depth limit (a runtime started with a small stack).
      if (e instanceof RangeError) {
        return { status: "halt", gasLeft: 0n, output: EMPTY, error: "native stack exhausted" };
      }
      throw e;
    }
  }

  /** process_create_message: fresh account, init code, code deposit. */
  executeCreate(msg: Message): ExecResult {
    const world = this.world;
    const rules = this.rules;
    const mark = world.checkpoint();
    this.tracer?.onEnter?.(msg);
    const address = msg.address;
    world.clearStorage(address);
    world.markCreated(address);
    const acc = world.getOrCreate(address);
    if (rules.eip158) world.setNonce(address, 1n);
    void acc;
    if (msg.value !== 0n) {
      world.setBalance(msg.caller, world.getBalance(msg.caller) - msg.value);
      world.addBalance(address, msg.value);
    }
    if (rules.eip158) world.touch(address);
    let result = this.runCode(msg);
    if (result.status === "success") {
      result = this.depositCode(msg, result);
    }
    if (result.status !== "success") world.revertTo(mark);
    else result.createdAddress = address;
    this.tracer?.onExit?.(msg, result);
    return result;
  }

  private depositCode(msg: Message, result: ExecResult): ExecResult {
    const rules = this.rules;
    const code = result.output;
    const fail = (error: string): ExecResult => ({ status: "halt", gasLeft: 0n, output: EMPTY, error });
    if (rules.rejectEfCode && code.length > 0 && code[0] === 0xef) return fail("code starts with 0xEF (EIP-3541)");
    const depositGas = BigInt(code.length * rules.codeDepositGasPerByte);
    if (result.gasLeft < depositGas) {
      if (rules.homesteadCreateFailure) return fail("out of gas: code deposit");
      // Frontier: the account is created without code.
      return { status: "success", gasLeft: result.gasLeft, output: EMPTY };
    }
    if (rules.maxCodeSize && code.length > rules.maxCodeSize) return fail("code size exceeds limit (EIP-170)");
    this.world.setCode(msg.address, code);
    return { status: "success", gasLeft: result.gasLeft - depositGas, output: EMPTY };
  }

  blockHash(number: bigint): bigint {
    const current = this.block.number;
    if (number >= current || number + 256n < current) return 0n;
    return this.block.blockHash(number);
  }

  /** Builds a child message for the CALL family. */
  callMessage(
    parent: Message, kind: CallKind, target: bigint, value: bigint, input: Uint8Array, gas: bigint,
  ): Message {
    // The code run, following an EIP-7702 delegation (in locals: an object for it costs more than a simple call).
    let code = this.world.getCode(target), codeAddress = target, delegated = false;
    if (this.rules.setCodeTx) {
      const delegate = delegationTarget(code);
      if (delegate !== undefined) {
        code = this.world.getCode(delegate);
        codeAddress = delegate;
        delegated = true;
      }
    }
    const isCall = kind === CallKind.Call || kind === CallKind.StaticCall;
    return {
      kind,
      caller: kind === CallKind.DelegateCall ? parent.caller : parent.address,
      address: isCall ? target : parent.address,
      codeAddress,
      value: kind === CallKind.DelegateCall ? parent.value : value,
      transfersValue: kind === CallKind.Call,
      input,
      gas,
      isStatic: parent.isStatic || kind === CallKind.StaticCall,
      depth: parent.depth + 1,
      code,
      disablePrecompiles: delegated,
    };
  }

  isPrecompileActive(address: bigint): boolean {
    if (this.precompiles !== undefined) return this.precompiles.has(address);
    return address <= MAX_PRECOMPILE_ADDRESS && getPrecompile(Number(address), this.rules.id) !== undefined;
  }

  get fork(): number {
    return this.rules.id;
  }
}

export { CallKind, EvmHalt, Fork };
