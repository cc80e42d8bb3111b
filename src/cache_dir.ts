import type { Dirent } from "node:fs";
import { envVar, homeDir, joinPath, nodeFs, nodePath, nodeProcess, processId } from "./runtime.ts";

/** The per-user cache root: $EVMWASM_CACHE_DIR, else $XDG_CACHE_HOME/evmwasm, else ~/.cache/evmwasm. */
export function defaultCacheDir(): string {
  const dir = envVar("EVMWASM_CACHE_DIR");
  if (dir) return dir;
  return joinPath(envVar("XDG_CACHE_HOME") || joinPath(homeDir(), ".cache"), "evmwasm");
}

/** Whether a process with this id is running (a temporary file named after it may still be written). */
function processAlive(pid: number): boolean {
  try {
    nodeProcess().kill(pid, 0);
    return true;
  } catch (e) {
    return (e as { code?: string }).code === "EPERM";
  }
}

/**
 * Writes `file` whole or not at all: into a temporary file beside it, named after this process so that a later
 * start can tell a write that was cut off (removeStaleTemporaryFiles), then renamed over it. The temporary file is
 * removed when the write fails; the error is thrown. `makeDir`: create the folder first.
 */
export function writeFileAtomically(file: string, data: string | Uint8Array, { makeDir = false } = {}): void {
  const fs = nodeFs();
  if (makeDir) fs.mkdirSync(nodePath().dirname(file), { recursive: true });
  const tmp = `${file}.${processId()}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    fs.writeFileSync(tmp, data);
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}

/** Temporary files of a write that did not finish (`*.tmp`), once older than this, are removed whoever wrote them. */
const STALE_TEMPORARY_MS = 60 * 60 * 1000;

/**
 * Removes what interrupted writes left in a cache folder (and its sub-folders, a few levels down): a file named
 * `NAME.<pid>[.<random>].tmp` whose writer is no longer running, or any `.tmp` file older than an hour. Returns
 * how many it removed. Errors (a read-only folder, a file gone meanwhile) are ignored.
 */
export function removeStaleTemporaryFiles(
  dir: string,
  depth = 3,
  only: (name: string) => boolean = () => true,
): number {
  let removed = 0;
  let entries: Dirent[];
  try {
    entries = nodeFs().readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const e of entries) {
    const path = nodePath().join(dir, e.name);
    if (e.isDirectory()) {
      if (depth > 0) removed += removeStaleTemporaryFiles(path, depth - 1, only);
      continue;
    }
    if (!e.isFile() || !e.name.endsWith(".tmp") || !only(e.name)) continue;
    const fields = e.name.split(".");
    const pid = [fields[fields.length - 2], fields[fields.length - 3]].map(Number).find((n) => Number.isInteger(n) && n > 0);
    try {
      const stale = (pid !== undefined && pid !== processId() && !processAlive(pid)) ||
        Date.now() - nodeFs().statSync(path).mtimeMs > STALE_TEMPORARY_MS;
      if (stale) {
        nodeFs().rmSync(path, { force: true });
        removed++;
      }
    } catch { /* gone already, or not ours to remove */ }
  }
  return removed;
}
