/** An execution worker inside the single-file binary (see ./evmwasm.ts). */
import { normalJitPolicy } from "../../src/jit_policy.ts";
import "./npm_packages.ts";
import "../../src/exec/execution_worker.ts";

normalJitPolicy();
