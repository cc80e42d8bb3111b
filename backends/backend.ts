/** The seam between the EVM and a code executor (interpreter, WebAssembly, ...). */
import type { Evm } from "../src/evm/evm.ts";
import type { Frame } from "../src/evm/frame.ts";

export interface Backend {
  readonly name: string;
  /**
   * Runs the frame's code to completion. Returns how it ended; throws EvmHalt
   * for an exceptional halt. Nested calls go back through `evm`.
   */
  run(frame: Frame, evm: Evm): { status: "success" | "revert"; output: Uint8Array };
}
