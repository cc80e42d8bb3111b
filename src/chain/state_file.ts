/**
 * State files (`--state`, `--load-state`, `--dump-state`): anvil's JSON layout (state_dump.ts) on disk. A path
 * that is a folder means `state.json` in it, as anvil has it. Saves are atomic: the JSON goes to a temporary
 * file beside the target, is flushed, and is renamed over it, so a crash or kill mid-save leaves the last
 * complete file.
 */
import { removeStaleTemporaryFiles } from "../cache_dir.ts";
import type { DevChain } from "./chain.ts";
import { decodeStateDump, loadState, serializeState, StateFileError } from "./state_dump.ts";
import { nodeFs, nodePath, processId } from "../runtime.ts";

/** anvil's default interval between saves when a save path is set. */
export const DEFAULT_STATE_INTERVAL_SECONDS = 60;

export function statePath(path: string): string {
  try {
    if (nodeFs().statSync(path).isDirectory()) return nodePath().join(path, "state.json");
  } catch { /* absent: the path itself */ }
  return path;
}

/** Reads and parses a state file (plain or gzip'ed JSON); errors name the file and what is wrong. */
export function readStateFile(path: string): unknown {
  const file = statePath(path);
  let bytes: Uint8Array;
  try {
    bytes = nodeFs().readFileSync(file);
  } catch (e) {
    throw new StateFileError(`cannot read ${file}: ${(e as Error).message}`);
  }
  try {
    return decodeStateDump(bytes);
  } catch (e) {
    if (e instanceof StateFileError) throw new StateFileError(`${file}: ${e.details}`);
    throw e;
  }
}

/** Loads a state file into the chain; errors name the file. */
export function loadStateFile(chain: DevChain, path: string): void {
  const value = readStateFile(path);
  try {
    loadState(chain, value);
  } catch (e) {
    if (e instanceof StateFileError) throw new StateFileError(`${statePath(path)}: ${e.details}`);
    throw e;
  }
}

/** Writes the chain's state to `path` atomically. */
export function saveStateFile(chain: DevChain, path: string): void {
  const file = statePath(path);
  const text = JSON.stringify(serializeState(chain));
  const tmp = nodePath().join(nodePath().dirname(file), `.${file.split("/").pop()}.${processId()}.tmp`);
  try {
    const fd = nodeFs().openSync(tmp, "w");
    try {
      nodeFs().writeSync(fd, text);
      nodeFs().fsyncSync(fd);
    } finally {
      nodeFs().closeSync(fd);
    }
    nodeFs().renameSync(tmp, file);
  } catch (e) {
    if (nodeFs().existsSync(tmp)) nodeFs().rmSync(tmp, { force: true });
    throw new StateFileError(`cannot write ${file}: ${(e as Error).message}`);
  }
}

/**
 * Saves the state every `intervalSeconds` and once more on stop(), as anvil's --dump-state / --state do.
 * A failed periodic save is reported and retried at the next interval.
 */
export class StateSaver {
  private timer?: ReturnType<typeof setInterval>;

  constructor(
    private readonly chain: () => DevChain,
    private readonly path: string,
    intervalSeconds: number,
    private readonly report: (message: string) => void = (m) => console.error(m),
  ) {
    // What a save cut off by a kill left beside the file.
    const file = statePath(path);
    const prefix = `.${file.split("/").pop()}.`;
    removeStaleTemporaryFiles(nodePath().dirname(file), 0, (name) => name.startsWith(prefix));
    if (intervalSeconds > 0) {
      this.timer = setInterval(() => this.save(), intervalSeconds * 1000);
      // Periodic saves do not keep the process alive.
      (this.timer as { unref?: () => void }).unref?.();
    }
  }

  save(): boolean {
    try {
      saveStateFile(this.chain(), this.path);
      return true;
    } catch (e) {
      this.report(`evmwasm: saving the state failed: ${(e as Error).message}`);
      return false;
    }
  }

  /** Stops the timer and saves one last time. */
  stop(): boolean {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    return this.save();
  }
}
