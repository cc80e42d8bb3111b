// The compiler thread's warm-up programs: every round compiles, and its selector dispatch jumps to JUMPDESTs.
import assert from "node:assert/strict";
import { compileToWasm } from "../backends/wasm/compiler.ts";
import { warmUpProgram } from "../backends/wasm/warm_up.ts";
import { Op } from "../src/forks/opcodes.ts";
import { Fork } from "../src/forks/fork.ts";
import { rulesFor } from "../src/forks/rules.ts";

Deno.test("wasm warm-up: each round is a distinct program that compiles, its dispatch landing on JUMPDESTs", () => {
  const rules = rulesFor(Fork.Osaka);
  const seen = new Set<string>();
  for (let round = 0; round < 8; round++) {
    const code = warmUpProgram(rules, round);
    seen.add(code.join(","));
    let dests = 0;
    for (let i = 0; i + 3 < code.length; i++) {
      if (code[i] === (Op.PUSH1 + 1) && code[i + 3] === Op.JUMPI && code[i - 6] === (Op.PUSH1 + 3)) {
        assert.equal(code[(code[i + 1] << 8) | code[i + 2]], Op.JUMPDEST, `round ${round}: PUSH2 at ${i}`);
        dests++;
      }
    }
    assert.equal(dests, 4 * round);
    assert.ok(compileToWasm(code, rules).binary.length > 0);
  }
  assert.equal(seen.size, 8);
});
