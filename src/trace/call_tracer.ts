/** geth's callTracer: the tree of calls and creations with gas, input, output and errors. */
import type { EvmTracer } from "../evm/evm.ts";
import type { Frame } from "../evm/frame.ts";
import { CallKind, type ExecResult, type Message } from "../evm/message.ts";
import { bigIntToHex, bytesToHex } from "../primitives/hex.ts";
import { decodeRevertReason } from "../chain/revert_reason.ts";

export interface CallTracerConfig {
  onlyTopCall?: boolean;
  withLog?: boolean;
}

export interface CallFrameLog {
  address: string;
  topics: string[];
  data: string;
  position: string;
}

export interface CallFrame {
  type: string;
  from: string;
  to?: string;
  value?: string;
  gas: string;
  gasUsed: string;
  input: string;
  output?: string;
  error?: string;
  revertReason?: string;
  calls?: CallFrame[];
  logs?: CallFrameLog[];
}

const KIND_NAMES: Record<number, string> = {
  [CallKind.Call]: "CALL",
  [CallKind.CallCode]: "CALLCODE",
  [CallKind.DelegateCall]: "DELEGATECALL",
  [CallKind.StaticCall]: "STATICCALL",
  [CallKind.Create]: "CREATE",
  [CallKind.Create2]: "CREATE2",
};

const address = (a: bigint) => "0x" + a.toString(16).padStart(40, "0");

export class CallTracer implements EvmTracer {
  private stack: CallFrame[] = [];
  root?: CallFrame;

  constructor(private readonly config: CallTracerConfig = {}) {}

  onEnter(msg: Message): void {
    if (this.config.onlyTopCall && this.stack.length > 0) {
      this.stack.push(undefined as unknown as CallFrame); // placeholder keeps enter/exit paired
      return;
    }
    const isCreate = msg.kind === CallKind.Create || msg.kind === CallKind.Create2;
    const frame: CallFrame = {
      type: KIND_NAMES[msg.kind],
      from: address(msg.caller),
      to: address(msg.address),
      gas: bigIntToHex(msg.gas),
      gasUsed: "0x0",
      input: bytesToHex(isCreate ? msg.code : msg.input),
    };
    if (msg.kind !== CallKind.DelegateCall && msg.kind !== CallKind.StaticCall) frame.value = bigIntToHex(msg.value);
    const parent = this.stack[this.stack.length - 1];
    if (parent) (parent.calls ??= []).push(frame);
    else this.root = frame;
    this.stack.push(frame);
  }

  onExit(_msg: Message, result: ExecResult): void {
    const frame = this.stack.pop();
    if (!frame) return;
    frame.gasUsed = bigIntToHex(BigInt(frame.gas) - result.gasLeft);
    if (result.output.length > 0 || result.status !== "halt") frame.output = bytesToHex(result.output);
    if (result.status === "revert") {
      frame.error = "execution reverted";
      const reason = decodeRevertReason(result.output);
      if (reason !== undefined) frame.revertReason = reason;
    } else if (result.status === "halt") {
      frame.error = result.error ?? "execution halted";
      delete frame.output;
    }
    if (result.status !== "success" && frame.logs) delete frame.logs;
  }

  onStep(frame: Frame, _pc: number, op: number, _gas: number, stack: readonly bigint[]): void {
    if (!this.config.withLog || op < 0xa0 || op > 0xa4) return;
    const current = this.stack[this.stack.length - 1];
    if (!current) return;
    const n = op - 0xa0;
    const top = stack.length - 1;
    if (top < 1 + n) return;
    const offset = stack[top], size = stack[top - 1];
    const data = new Uint8Array(size > 0xffffn ? 0 : Number(size));
    if (offset < BigInt(frame.memorySize)) {
      data.set(frame.memory.subarray(Number(offset), Number(offset) + data.length));
    }
    const topics = [];
    for (let i = 0; i < n; i++) topics.push("0x" + stack[top - 2 - i].toString(16).padStart(64, "0"));
    (current.logs ??= []).push({
      address: address(frame.message.address),
      topics,
      data: bytesToHex(data),
      position: bigIntToHex(current.calls?.length ?? 0),
    });
  }
}
