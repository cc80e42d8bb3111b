/**
 * Stack slots that hold one and the same constant whenever a block is entered: a forward dataflow over the
 * blocks, once stack_heights.ts has accounted for every jump. Code that keeps a constant deep in its stack and
 * DUPs it where needed (a mask that hand-written code pushes once, a loop's bound) then has it known at compile
 * time in every block it reaches, not only in the block that pushed it: an AND with a 64-bit mask known that way
 * leaves a value whose upper limbs are known zero, and the arithmetic after it works on one limb.
 */
import type { Analysis } from "./analysis.ts";
import { isPush, runStack, type StackFlow } from "./stack_heights.ts";

/** Each slot of a stack, from the bottom: its constant, or null where it is not one constant. */
type Slots = (bigint | null)[];
/** The entry state of a block entered at more than one height (or after one that is): nothing is known. */
const VARIES = "varies";
type Entry = Slots | typeof VARIES;

/** Instructions simulated in all before the analysis gives up (nothing is known then). */
const MAX_WORK = 1_000_000;

/**
 * Block index -> the constants its entry stack holds, by position relative to the block's base (-1 is the top
 * slot): the positions the lowering's virtual stack uses for slots below its base.
 */
export function stackConstants(a: Analysis, flow: StackFlow): Map<number, Map<number, bigint>> {
  const { blocks, blockAt } = a;
  const entries: (Entry | undefined)[] = new Array(blocks.length);
  const work: number[] = [];
  const queued = new Uint8Array(blocks.length);
  let simulated = 0;

  const enter = (k: number, stack: Entry): void => {
    const old = entries[k];
    let changed = false;
    if (old === undefined) {
      entries[k] = stack === VARIES ? VARIES : stack.slice();
      changed = true;
    } else if (old === VARIES) {
      return;
    } else if (stack === VARIES || stack.length !== old.length) {
      entries[k] = VARIES;
      changed = true;
    } else {
      for (let i = 0; i < old.length; i++) {
        if (old[i] !== null && old[i] !== stack[i]) {
          old[i] = null;
          changed = true;
        }
      }
    }
    if (changed && !queued[k]) {
      queued[k] = 1;
      work.push(k);
    }
  };
  const enterAt = (pc: number, stack: Entry): void => {
    const k = blockAt.get(pc);
    if (k !== undefined) enter(k, stack);
  };

  if (blocks.length > 0) enter(0, []);
  while (work.length > 0) {
    const k = work.pop()!;
    queued[k] = 0;
    const block = blocks[k];
    const entry = entries[k]!;
    simulated += block.instrs.length;
    if (simulated > MAX_WORK) return new Map();
    const isJump = block.term === "jump" || block.term === "jumpi";
    if (!isJump && block.term !== "fallthrough" && block.term !== "sled") continue;
    let stack: Entry = entry;
    if (entry !== VARIES) {
      const s = entry.slice();
      if (!runStack(block, s, (op, imm) => (isPush(op) ? imm : null))) continue;
      if (isJump) {
        const pops = block.term === "jump" ? 1 : 2;
        if (s.length < pops) continue; // underflow: the jump halts
        s.length -= pops;
      }
      stack = s;
    }
    if (block.term === "jump" || block.term === "jumpi") {
      for (const pc of flow.jumpTargets.get(k) ?? []) enterAt(pc, stack);
    }
    if (block.term !== "jump") enterAt(block.next, stack);
  }

  const out = new Map<number, Map<number, bigint>>();
  entries.forEach((entry, k) => {
    if (entry === undefined || entry === VARIES || !flow.reached.has(k)) return;
    const consts = new Map<number, bigint>();
    entry.forEach((v, i) => {
      if (v !== null) consts.set(i - entry.length, v);
    });
    if (consts.size > 0) out.set(k, consts);
  });
  return out;
}
