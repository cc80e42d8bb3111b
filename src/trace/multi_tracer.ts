/** Several tracers on one run: each event goes to each of them, in order (geth's muxTracer, Parity's trace types). */
import type { EvmTracer } from "../evm/evm.ts";
import type { Frame } from "../evm/frame.ts";
import type { ExecResult, Message } from "../evm/message.ts";

export class MultiTracer implements EvmTracer {
  constructor(private readonly tracers: EvmTracer[]) {}
  onStep(frame: Frame, pc: number, op: number, gas: number, stack: readonly bigint[], depth: number): void {
    for (const t of this.tracers) t.onStep?.(frame, pc, op, gas, stack, depth);
  }
  onEnter(msg: Message): void {
    for (const t of this.tracers) t.onEnter?.(msg);
  }
  onExit(msg: Message, result: ExecResult): void {
    for (const t of this.tracers) t.onExit?.(msg, result);
  }
}
