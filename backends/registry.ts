/** Backends by name. */
import type { Backend } from "./backend.ts";
import { Interpreter } from "./interpreter/interpreter.ts";
import { CliError } from "../src/cli/args.ts";

export const BACKEND_NAMES = ["interpreter"] as const;

export function createBackend(name: string): Backend {
  switch (name) {
    case "interpreter":
      return new Interpreter();
    default:
      throw new CliError(`unknown backend "${name}"; available: ${BACKEND_NAMES.join(", ")}`);
  }
}
