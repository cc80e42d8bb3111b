/**
 * geth's 4byteTracer: how many times each function selector was called with each calldata size, as
 * "0x<selector>-<size of the arguments>" (calls into code only: not creations, not precompiles).
 */
import type { EvmTracer } from "../evm/evm.ts";
import { CallKind, type Message } from "../evm/message.ts";

export class FourByteTracer implements EvmTracer {
  readonly counts: Record<string, number> = {};

  constructor(private readonly isPrecompile: (address: bigint) => boolean) {}

  onEnter(msg: Message): void {
    if (msg.kind === CallKind.Create || msg.kind === CallKind.Create2) return;
    if (msg.input.length < 4 || this.isPrecompile(msg.codeAddress)) return;
    const selector = [...msg.input.subarray(0, 4)].map((b) => b.toString(16).padStart(2, "0")).join("");
    const key = `0x${selector}-${msg.input.length - 4}`;
    this.counts[key] = (this.counts[key] ?? 0) + 1;
  }
}
