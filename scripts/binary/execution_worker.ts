/** An execution worker inside the single-file binary (see ./evmwasm.ts). */
import "../../src/exec/execution_worker.ts";
