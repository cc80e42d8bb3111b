/**
 * The interpreter's literal stack checks are the ones scripts/gen_interpreter_stack_checks.ts writes from the opcode
 * table (src/forks/opcodes.ts): a check edited by hand, or a table entry changed without `deno task
 * gen:stack-checks`, fails here. interpreter_stack_test.ts checks the same bounds by running every opcode.
 */
import assert from "node:assert/strict";
import { generateStackChecks, INTERPRETER_PATH } from "../scripts/gen_interpreter_stack_checks.ts";
import { Op, OPCODES, STACK_IN, STACK_OUT } from "../src/forks/opcodes.ts";

const source = Deno.readTextFileSync(INTERPRETER_PATH);

function replaceOnce(s: string, from: string, to: string): string {
  assert.equal(s.split(from).length, 2, `exactly one ${JSON.stringify(from)} in the interpreter`);
  return s.replace(from, to);
}

Deno.test("the interpreter's stack checks are the ones the opcode table gives", () => {
  const r = generateStackChecks(source);
  assert.deepEqual(r.errors, []);
  const differ = r.edits.map((e) =>
    `interpreter.ts:${e.line} ${e.opcodes}: ${e.before ?? "(none)"} -> ${e.after ?? "(none)"}`
  );
  assert.deepEqual(differ, [], "run `deno task gen:stack-checks`");
  assert.equal(r.source, source);
  // Every stack check of the file was read, and every opcode of the table has a case.
  assert.equal(r.checks, source.match(/halt\("stack (underflow|overflow)"\)/g)!.length);
  assert.equal(r.opcodes, OPCODES.filter((o) => o).length);
});

// The cases below change the table by one from what it is, so they hold whatever the table's numbers.
const underflow = (bound: string | number) => `if (sp < ${bound}) halt("stack underflow");`;
const OVERFLOW = `if (sp >= STACK_LIMIT) halt("stack overflow");`;

Deno.test("a literal that disagrees with the table is named by its line and rewritten", () => {
  const add = STACK_IN[Op.ADD];
  const edited = replaceOnce(source, `// ADD\n          ${underflow(add)}`, `// ADD\n          ${underflow(add + 1)}`);
  const r = generateStackChecks(edited);
  const line = edited.split("\n").findIndex((l) => l.includes("// ADD")) + 2;
  assert.deepEqual(r.edits.map((e) => [e.line, e.opcodes, e.before, e.after]), [
    [line, "ADD", underflow(add + 1), underflow(add)],
  ]);
  assert.equal(r.source, source);
});

Deno.test("each form of check follows a change to the table", () => {
  const stackIn = Uint8Array.from(STACK_IN), stackOut = Uint8Array.from(STACK_OUT);
  stackIn[Op.ADD]++; // a literal
  for (let n = 0; n <= 4; n++) stackIn[Op.LOG0 + n]++; // n + k
  stackIn[Op.CREATE]--; // the false side of isCreate2 ? A : B
  stackOut[Op.POP] = STACK_IN[Op.POP] + 1; // an overflow check added
  stackIn[Op.PC] = 1; // an underflow check added; PC still grows the stack
  stackOut[Op.PC] = 2;
  stackOut[Op.PUSH0] = STACK_IN[Op.PUSH0]; // an overflow check removed
  const r = generateStackChecks(source, stackIn, stackOut);
  assert.deepEqual(r.errors, []);
  const [log, create, create2] = [STACK_IN[Op.LOG0], STACK_IN[Op.CREATE], STACK_IN[Op.CREATE2]];
  assert.deepEqual(r.edits.map((e) => [e.opcodes, e.before, e.after]), [
    ["ADD", underflow(STACK_IN[Op.ADD]), underflow(STACK_IN[Op.ADD] + 1)],
    ["POP", undefined, OVERFLOW],
    ["PC", undefined, underflow(1)],
    ["PUSH0", OVERFLOW, undefined],
    ["LOG0..LOG4", underflow(`n + ${log}`), underflow(`n + ${log + 1}`)],
    [
      "CREATE/CREATE2",
      `const need = isCreate2 ? ${create2} : ${create};`,
      `const need = isCreate2 ? ${create2} : ${create - 1};`,
    ],
  ]);
  // Regenerated from the real table, the edited file comes back as it was.
  assert.equal(generateStackChecks(r.source).source, source);
});

Deno.test("a shared body whose opcodes the table sets apart is an error, not a guess", () => {
  const stackIn = Uint8Array.from(STACK_IN);
  stackIn[Op.CODECOPY]++;
  const r = generateStackChecks(source, stackIn);
  assert.equal(r.errors.length, 1);
  assert.match(r.errors[0], /CALLDATACOPY\/CODECOPY\/RETURNDATACOPY .* different inputs/);
  assert.equal(r.source, source);
});

Deno.test("gen:stack-checks --check exits 0 on the interpreter as it is", async () => {
  const script = new URL("../scripts/gen_interpreter_stack_checks.ts", import.meta.url).pathname;
  const out = await new Deno.Command(Deno.execPath(), { args: ["run", "--allow-read", script, "--check"] }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
});
