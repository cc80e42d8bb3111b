import process from "node:process";
import { homedir } from "node:os";
import { join } from "node:path";

/** The per-user cache root: $EVMWASM_CACHE_DIR, else $XDG_CACHE_HOME/evmwasm, else ~/.cache/evmwasm. */
export function defaultCacheDir(): string {
  const env = process.env;
  if (env.EVMWASM_CACHE_DIR) return env.EVMWASM_CACHE_DIR;
  return join(env.XDG_CACHE_HOME || join(homedir(), ".cache"), "evmwasm");
}
