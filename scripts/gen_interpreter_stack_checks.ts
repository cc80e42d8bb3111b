/**
 * Writes the interpreter's stack checks from the opcode table. The interpreter (backends/interpreter/interpreter.ts)
 * keeps its underflow and overflow checks as literals in each `case` of its dispatch switch, which is faster than
 * reading src/forks/opcodes.ts at run time; this script makes those literals what the table says, or with --check
 * names the lines that differ and exits 1 (tests/interpreter_stack_checks_test.ts runs the check).
 *
 *   npx -y deno task gen:stack-checks [--check]
 *
 * A group is one `case 0x..:` label line or several consecutive ones sharing a body, or, in the `default:` branch,
 * an `if (op >= 0x.. && op <= 0x..) {` block. Within a group:
 * - the underflow check `if (sp < B) halt("stack underflow");` has B = the table's inputs, as a literal when every
 *   opcode of the group has the same inputs; otherwise as `n + k` from a `const n = op - 0x..;` of the body, or as a
 *   variable set by `const need = isX ? A : B;` where `const isX = op === 0x.. || ...;` picks the opcodes of A;
 * - the overflow check `if (sp >= STACK_LIMIT) halt("stack overflow");` is there exactly when the table's outputs
 *   exceed its inputs (`if (sp > STACK_LIMIT - g)` for a growth g above one).
 * A check missing is added at the start of the body, a check the table does not call for is removed; any other line
 * of the switch that raises a stack error, or a group the forms above cannot express, is an error to fix by hand.
 */
import { OPCODE_NAMES, OPCODES, STACK_IN, STACK_OUT } from "../src/forks/opcodes.ts";

export const INTERPRETER_PATH = new URL("../backends/interpreter/interpreter.ts", import.meta.url);

/** One line to change: `before` undefined for a line added, `after` undefined for a line removed. */
export interface StackCheckEdit {
  /** 1-based line in the source as given (for a line added, the line it goes before). */
  line: number;
  opcodes: string;
  before?: string;
  after?: string;
}

export interface StackCheckResult {
  source: string;
  edits: StackCheckEdit[];
  /** Problems the generator cannot fix by rewriting a check (the source is then returned as given). */
  errors: string[];
  /** Stack-check lines read (each compared with the table) and opcodes they cover. */
  checks: number;
  opcodes: number;
}

interface Group {
  ops: number[];
  label: string;
  /** Line index of the last label line; the body is (header, end). */
  header: number;
  end: number;
}

const UNDERFLOW = /^(\s*)if \(sp < (.+)\) halt\("stack underflow"\);$/;
const OVERFLOW = /^(\s*)if \((.+)\) halt\("stack overflow"\);$/;
const CASE_LINE = /^(\s*)((?:case 0x[0-9a-f]{2}: ?)+)(\{ )?(?:\/\/ (.*))?$/;
const RANGE_IF = /^(\s*)if \(op >= (0x[0-9a-f]{2}) && op <= (0x[0-9a-f]{2})\) \{(?: \/\/ (.*))?$/;

const name = (op: number) => OPCODE_NAMES[op];
const hex = (op: number) => `0x${op.toString(16).padStart(2, "0")}`;

function overflowCondition(growth: number): string {
  return growth === 1 ? "sp >= STACK_LIMIT" : `sp > STACK_LIMIT - ${growth}`;
}

/** The opcodes' common value of f, or undefined when they differ. */
function common(ops: number[], f: (op: number) => number): number | undefined {
  const v = f(ops[0]);
  return ops.every((op) => f(op) === v) ? v : undefined;
}

function describe(ops: number[], f: (op: number) => number): string {
  return ops.map((op) => `${name(op)} ${f(op)}`).join(", ");
}

/** Finds the groups of the dispatch switch (`switch (op) {`), checking each label's comment against the table. */
function findGroups(lines: string[], errors: string[]): Group[] {
  const start = lines.findIndex((l) => /^\s*switch \(op\) \{$/.test(l));
  if (start < 0) {
    errors.push("no `switch (op) {` in the interpreter");
    return [];
  }
  const indent = lines[start].match(/^\s*/)![0];
  const end = lines.findIndex((l, i) => i > start && l === `${indent}}`);
  const caseIndent = lines[start + 1].match(/^\s*/)![0];
  const groups: Group[] = [];
  let open: Group | undefined;
  /** The open group's last label line ends in `{`: a later label starts another group. */
  let braced = false;
  const close = (i: number) => {
    if (open) open.end = i;
    open = undefined;
  };
  const range = (ops: number[]) => ops.length === 1 ? name(ops[0]) : `${name(ops[0])}..${name(ops[ops.length - 1])}`;
  /** A label's comment starts with its opcode's name, or NAME..NAME for several (a whole group's on its last label). */
  const checkName = (i: number, comment: string | undefined, ...ops: number[][]) => {
    const said = comment?.split(" ")[0];
    if (said !== undefined && !ops.some((o) => range(o) === said)) {
      errors.push(`line ${i + 1}: the comment says ${said} but the label is ${range(ops[0])} in the table`);
    }
  };
  for (let i = start + 1; i < end; i++) {
    const line = lines[i];
    const c = line.match(CASE_LINE);
    if (c && c[1] === caseIndent) {
      const ops = [...c[2].matchAll(/case (0x[0-9a-f]{2}):/g)].map((m) => parseInt(m[1], 16));
      if (open && open.header === i - 1 && !braced) {
        // Another label of the same body.
        checkName(i, c[4], ops, [...open.ops, ...ops]);
        open.ops.push(...ops);
        open.label += `/${range(ops)}`;
        open.header = i;
      } else {
        checkName(i, c[4], ops);
        close(i);
        open = { ops, label: range(ops), header: i, end };
        groups.push(open);
      }
      braced = c[3] !== undefined;
      continue;
    }
    if (line.startsWith(`${caseIndent}case `)) {
      errors.push(`line ${i + 1}: a case label the generator cannot read: ${line.trim()}`);
      continue;
    }
    if (line === `${caseIndent}default:`) {
      close(i);
      continue;
    }
    const r = line.match(RANGE_IF);
    if (r && !open) {
      const lo = parseInt(r[2], 16), hi = parseInt(r[3], 16);
      const ops: number[] = [];
      for (let op = lo; op <= hi; op++) ops.push(op);
      checkName(i, r[4], ops);
      const blockEnd = lines.findIndex((l, j) => j > i && j < end && l === `${r[1]}}`);
      if (blockEnd < 0) {
        errors.push(`line ${i + 1}: no closing brace for ${r[2]}..${r[3]}`);
        break;
      }
      groups.push({ ops, label: `${name(lo)}..${name(hi)}`, header: i, end: blockEnd });
      i = blockEnd;
    }
  }
  close(end);
  // Each opcode once, and every opcode of the table somewhere.
  const seen = new Map<number, string>();
  for (const g of groups) {
    for (const op of g.ops) {
      if (!OPCODES[op]) errors.push(`${g.label}: ${hex(op)} is not in the opcode table`);
      if (seen.has(op)) errors.push(`${name(op)} is handled twice (${seen.get(op)} and ${g.label})`);
      seen.set(op, g.label);
    }
  }
  for (let op = 0; op < 256; op++) {
    if (OPCODES[op] && !seen.has(op)) errors.push(`${name(op)} is in the opcode table but has no case in the switch`);
  }
  // Stack errors raised outside any group cannot be tied to an opcode.
  const inGroup = new Set<number>();
  for (const g of groups) for (let i = g.header + 1; i < g.end; i++) inGroup.add(i);
  for (let i = start + 1; i < end; i++) {
    if (/halt\("stack (underflow|overflow)"\)/.test(lines[i]) && !inGroup.has(i)) {
      errors.push(`line ${i + 1}: a stack check outside any case: ${lines[i].trim()}`);
    }
  }
  return groups;
}

/**
 * The source with every stack check of the interpreter's switch as the table gives it. `stackIn` and `stackOut`
 * default to the table's columns (the test passes altered ones to see a disagreement found).
 */
export function generateStackChecks(
  source: string,
  stackIn: ArrayLike<number> = STACK_IN,
  stackOut: ArrayLike<number> = STACK_OUT,
): StackCheckResult {
  const lines = source.split("\n");
  const errors: string[] = [];
  const groups = findGroups(lines, errors);
  /** Replacements by line index: a string, null to remove; and lines to add before an index. */
  const replace = new Map<number, string | null>();
  const insert = new Map<number, string[]>();
  const edits: StackCheckEdit[] = [];
  const inputs = (op: number) => stackIn[op];
  const growth = (op: number) => stackOut[op] - stackIn[op];
  let checks = 0;

  for (const g of groups) {
    const body: number[] = [];
    for (let i = g.header + 1; i < g.end; i++) body.push(i);
    const under = body.filter((i) => lines[i].includes(`halt("stack underflow")`));
    const over = body.filter((i) => lines[i].includes(`halt("stack overflow")`));
    const fail = (msg: string) => errors.push(`${g.label} (line ${g.header + 1}): ${msg}`);
    checks += under.length + over.length;
    if (under.length > 1 || over.length > 1) {
      fail("more than one underflow or overflow check in one case");
      continue;
    }
    const indent = lines[g.header + 1].match(/^\s*/)![0];
    let addAt = g.header + 1;
    const addCheck = (check: string) => insert.set(addAt, [...(insert.get(addAt) ?? []), `${indent}${check}`]);

    // Underflow.
    const need = common(g.ops, inputs);
    if (under.length === 1) {
      const i = under[0];
      const m = lines[i].match(UNDERFLOW);
      if (!m) {
        fail(`a stack underflow the generator cannot read: ${lines[i].trim()}`);
        continue;
      }
      addAt = i + 1;
      const bound = m[2];
      if (/^\d+$/.test(bound)) {
        if (need === undefined) {
          fail(`one literal bound for opcodes with different inputs (${describe(g.ops, inputs)})`);
        } else if (need === 0) replace.set(i, null);
        else replace.set(i, `${m[1]}if (sp < ${need}) halt("stack underflow");`);
      } else if (!tieVariable(lines, body, i, m[1], bound, g, inputs, replace, fail)) {
        continue;
      }
    } else if (need === undefined) {
      fail(`no underflow check, and the opcodes' inputs differ (${describe(g.ops, inputs)})`);
    } else if (need > 0) {
      addCheck(`if (sp < ${need}) halt("stack underflow");`);
    }

    // Overflow.
    const grows = common(g.ops, (op) => Math.max(0, growth(op)));
    if (grows === undefined) {
      fail(`the opcodes grow the stack by different counts (${describe(g.ops, growth)})`);
      continue;
    }
    if (over.length === 1) {
      const i = over[0];
      const m = lines[i].match(OVERFLOW);
      if (!m) {
        fail(`a stack overflow the generator cannot read: ${lines[i].trim()}`);
        continue;
      }
      replace.set(i, grows === 0 ? null : `${m[1]}if (${overflowCondition(grows)}) halt("stack overflow");`);
    } else if (grows > 0) {
      addCheck(`if (${overflowCondition(grows)}) halt("stack overflow");`);
    }
  }

  const opcodes = groups.reduce((n, g) => n + g.ops.length, 0);
  if (errors.length) return { source, edits, errors, checks, opcodes };
  const labelOf = (i: number) => groups.find((g) => i > g.header && i <= g.end)?.label ?? "";
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    for (const added of insert.get(i) ?? []) {
      edits.push({ line: i + 1, opcodes: labelOf(i), after: added.trim() });
      out.push(added);
    }
    const r = replace.get(i);
    if (r === undefined || r === lines[i]) {
      out.push(lines[i]);
      continue;
    }
    edits.push({ line: i + 1, opcodes: labelOf(i), before: lines[i].trim(), after: r?.trim() });
    if (r !== null) out.push(r);
  }
  return { source: out.join("\n"), edits, errors, checks, opcodes };
}

/**
 * An underflow bound that is a variable of the case body: `n + k` with `const n = op - 0x..;`, or `need` with
 * `const need = isX ? A : B;` and `const isX = op === 0x.. || ...;`. Rewrites the line that carries the numbers.
 */
function tieVariable(
  lines: string[],
  body: number[],
  check: number,
  indent: string,
  bound: string,
  g: Group,
  inputs: (op: number) => number,
  replace: Map<number, string | null>,
  fail: (msg: string) => void,
): boolean {
  const v = bound.match(/^([A-Za-z_]\w*)(?: ([+-]) (\d+))?$/);
  if (!v) {
    fail(`an underflow bound the generator cannot read: ${bound}`);
    return false;
  }
  const decl = (re: RegExp) => body.map((i) => [i, lines[i].match(re)] as const).find(([, m]) => m);
  const offset = decl(new RegExp(`^\\s*const ${v[1]} = op - (0x[0-9a-f]{2});$`));
  if (offset) {
    const base = parseInt(offset[1]![1], 16);
    const k = common(g.ops, (op) => inputs(op) - (op - base));
    if (k === undefined) {
      fail(`inputs not ${v[1]} plus a constant, ${v[1]} = op - ${hex(base)} (${describe(g.ops, inputs)})`);
      return false;
    }
    const expr = k === 0 ? v[1] : k > 0 ? `${v[1]} + ${k}` : `${v[1]} - ${-k}`;
    replace.set(check, `${indent}if (sp < ${expr}) halt("stack underflow");`);
    return true;
  }
  if (v[2]) {
    fail(`${bound}: no \`const ${v[1]} = op - 0x..;\` in the case`);
    return false;
  }
  const pick = decl(new RegExp(`^(\\s*)const ${v[1]} = ([A-Za-z_]\\w*) \\? (\\d+) : (\\d+);$`));
  if (!pick) {
    fail(`underflow bound ${bound}: no \`const ${v[1]} = op - 0x..;\` or \`const ${v[1]} = isX ? A : B;\` in the case`);
    return false;
  }
  const cond = decl(
    new RegExp(`^\\s*const ${pick[1]![2]} = (op === 0x[0-9a-f]{2}(?: \\|\\| op === 0x[0-9a-f]{2})*);$`),
  );
  if (!cond) {
    fail(`underflow bound ${bound}: ${pick[1]![2]} is not \`op === 0x.. || ...\``);
    return false;
  }
  const chosen = new Set([...cond[1]![1].matchAll(/0x[0-9a-f]{2}/g)].map((m) => parseInt(m[0], 16)));
  const yes = g.ops.filter((op) => chosen.has(op)), no = g.ops.filter((op) => !chosen.has(op));
  const a = yes.length ? common(yes, inputs) : undefined, b = no.length ? common(no, inputs) : undefined;
  if (a === undefined || b === undefined) {
    fail(`${pick[1]![2]} does not split the case into two sets of equal inputs (${describe(g.ops, inputs)})`);
    return false;
  }
  if ([...chosen].some((op) => !g.ops.includes(op))) {
    fail(`${pick[1]![2]} names opcodes that are not this case's`);
    return false;
  }
  const [i] = pick;
  replace.set(i, `${pick[1]![1]}const ${v[1]} = ${pick[1]![2]} ? ${a} : ${b};`);
  return true;
}

if (import.meta.main) {
  const check = Deno.args.includes("--check");
  const source = Deno.readTextFileSync(INTERPRETER_PATH);
  const { source: out, edits, errors, checks, opcodes } = generateStackChecks(source);
  const file = "backends/interpreter/interpreter.ts";
  for (const e of errors) console.error(`${file}: ${e}`);
  if (errors.length) Deno.exit(2);
  for (const e of edits) {
    const what = e.before === undefined
      ? `add "${e.after}"`
      : e.after === undefined
      ? `remove "${e.before}"`
      : `"${e.before}" -> "${e.after}"`;
    console.log(`${file}:${e.line}: ${e.opcodes}: ${what}`);
  }
  if (check) {
    if (edits.length) {
      console.error(`${edits.length} stack check(s) differ from src/forks/opcodes.ts; run deno task gen:stack-checks`);
      Deno.exit(1);
    }
    console.log(`the interpreter's ${checks} stack checks for ${opcodes} opcodes agree with the opcode table`);
  } else if (out !== source) {
    Deno.writeTextFileSync(INTERPRETER_PATH, out);
    console.log(`rewrote ${edits.length} stack check(s)`);
  } else {
    console.log("the interpreter's stack checks already agree with the opcode table");
  }
}
