/** The seam between the EVM and a code executor (interpreter, WebAssembly, ...). */
import type { Host } from "../src/evm/host.ts";
import type { Frame } from "../src/evm/frame.ts";

export interface Backend {
  readonly name: string;
  /**
   * Runs the frame's code to completion. Returns how it ended; throws EvmHalt
   * for an exceptional halt. State, the environment and nested calls are reached through `host`.
   */
  run(frame: Frame, host: Host): { status: "success" | "revert"; output: Uint8Array };
}
