/**
 * Entry stack heights proved by abstract interpretation: the blocks that every execution enters at one
 * and the same stack height. Their functions address the EVM stack at constant addresses, which the engine
 * does not bounds-check (Deno runs WebAssembly without V8's trap handler, so a load at `sp + offset` costs a
 * compare and a branch).
 *
 * The abstract state at a block's entry is its stack: the height and, for each slot, the JUMPDEST offset a PUSH
 * put there (moved by DUP and SWAP), or unknown. Jump destinations are read from it, so a Solidity internal
 * function returns to the site that called it: the return address travels on the stack as a pushed constant.
 * A block keeps each distinct state it is entered with (a function called from several sites is analysed
 * once per site). The result is all or nothing: if a destination is not a known constant, or the states or
 * the work exceed their caps, nothing is proved and every block takes its height from its caller.
 *
 * The same states give each dynamic jump its possible destinations (the return sites of an internal function),
 * which the compiler tests one by one at the jump, where the shared jump table's indirect branch predicts badly.
 */
import type { Analysis, Block } from "./analysis.ts";
import { STACK_IN, STACK_LIMIT, STACK_OUT } from "../../src/forks/opcodes.ts";

/** A slot whose value the analysis does not track: anything but a JUMPDEST offset that a PUSH put there. */
const UNKNOWN = -1;
/** Distinct entry states kept for one block before the analysis gives up (onchain_lm_v2 needs over 64). */
const MAX_STATES_PER_BLOCK = 128;
/** Instructions simulated in all before the analysis gives up: about 10 ms (snailtracer reaches it). */
const MAX_WORK = 1_000_000;

interface State {
  stack: number[];
}

function sameStack(a: number[], b: number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = a.length - 1; i >= 0; i--) if (a[i] !== b[i]) return false;
  return true;
}

/** What the analysis proves when it accounts for every jump. */
export interface StackFlow {
  /** Block index -> the one height (in words) at which every execution enters it, for the blocks entered at one. */
  heights: Map<number, number>;
  /** Index of a block ending in JUMP or JUMPI -> every destination (a JUMPDEST pc) that jump can take. */
  jumpTargets: Map<number, number[]>;
  /**
   * Block index -> the one block whose jump is the only way into it (a Solidity internal function called from
   * one site, or the site it returns to): such a block can be compiled on in that block's function.
   */
  onlyEntry: Map<number, number>;
  /** The blocks some execution can enter: no path from the code's start leads to any other. */
  reached: Set<number>;
}

/** The entry heights and jump destinations; undefined when the analysis cannot account for every jump. */
export function analyseStackFlow(a: Analysis): StackFlow | undefined {
  const { blocks, blockAt, jumpdests, code } = a;
  const states: State[][] = blocks.map(() => []);
  const targets = new Map<number, Set<number>>();
  const work: [number, State][] = [];
  let simulated = 0;

  /** Records state as an entry of block k; false when that breaks a cap. */
  const enter = (k: number, stack: number[]): boolean => {
    const seen = states[k];
    for (const s of seen) if (sameStack(s.stack, stack)) return true;
    if (seen.length >= MAX_STATES_PER_BLOCK) return false;
    const state = { stack };
    seen.push(state);
    work.push([k, state]);
    return true;
  };

  if (blocks.length === 0 || !enter(0, [])) return undefined;
  while (work.length > 0) {
    const [k, state] = work.pop()!;
    const block = blocks[k];
    const continues = block.term === "fallthrough" || block.term === "sled" || block.term === "jump" ||
      block.term === "jumpi";
    if (!continues) continue; // stop, return, revert, selfdestruct, invalid: nothing to enter
    const stack = state.stack.slice();
    // Only JUMPDEST offsets are kept: other constants would split states that differ in nothing that matters.
    const ran = runStack(block, stack, (op, imm) =>
      isPush(op) && imm < BigInt(code.length) && jumpdests[Number(imm)] === 1 ? Number(imm) : UNKNOWN
    );
    simulated += block.instrs.length;
    if (simulated > MAX_WORK) return undefined;
    if (!ran) continue;
    switch (block.term) {
      case "fallthrough":
      case "sled": {
        // Every continuation has a block (the end of code, its implicit STOP): one missing is an edge not followed.
        const next = blockAt.get(block.next);
        if (next === undefined || !enter(next, stack)) return undefined;
        break;
      }
      case "jump":
      case "jumpi": {
        const pops = block.term === "jump" ? 1 : 2;
        if (stack.length < pops) break; // underflow: the jump halts
        const dest = stack[stack.length - 1];
        stack.length -= pops;
        if (dest === UNKNOWN) return undefined;
        let seen = targets.get(k);
        if (!seen) targets.set(k, seen = new Set());
        seen.add(dest);
        // A known value is a JUMPDEST offset, so a valid destination; one with no block would be an edge not followed.
        const target = blockAt.get(dest);
        if (target === undefined || !enter(target, stack.slice())) return undefined;
        if (block.term === "jumpi") {
          const next = blockAt.get(block.next);
          if (next === undefined || !enter(next, stack)) return undefined;
        }
        break;
      }
    }
  }
  const heights = new Map<number, number>();
  const reached = new Set<number>();
  states.forEach((seen, k) => {
    if (seen.length === 0) return;
    reached.add(k);
    const h = seen[0].stack.length;
    if (seen.every((s) => s.stack.length === h)) heights.set(k, h);
  });
  const jumpTargets = new Map([...targets].map(([k, set]) => [k, [...set].sort((x, y) => x - y)]));
  return { heights, jumpTargets, onlyEntry: onlyEntries(a, jumpTargets), reached };
}

export const isPush = (op: number): boolean => op === 0x5f || (op >= 0x60 && op <= 0x7f);

/**
 * Moves an abstract stack (a value per slot, from the bottom) through a block's instructions up to its final
 * JUMP or JUMPI: DUP and SWAP move slots, every other instruction pops its inputs and pushes `pushed(op, imm)`
 * for each output. False when the block halts on the way (stack underflow or overflow).
 */
export function runStack<T>(block: Block, stack: T[], pushed: (op: number, imm: bigint) => T): boolean {
  const last = block.term === "jump" || block.term === "jumpi" ? block.instrs.length - 1 : block.instrs.length;
  for (let i = 0; i < last; i++) {
    const { op, imm } = block.instrs[i];
    if (op >= 0x80 && op <= 0x8f) { // DUPn
      const n = op - 0x7f;
      if (stack.length < n || stack.length >= STACK_LIMIT) return false;
      stack.push(stack[stack.length - n]);
    } else if (op >= 0x90 && op <= 0x9f) { // SWAPn
      const n = op - 0x8f, top = stack.length - 1;
      if (stack.length <= n) return false;
      [stack[top], stack[top - n]] = [stack[top - n], stack[top]];
    } else {
      const pops = STACK_IN[op], pushes = STACK_OUT[op];
      if (stack.length < pops || stack.length - pops + pushes > STACK_LIMIT) return false;
      stack.length -= pops;
      for (let p = 0; p < pushes; p++) stack.push(pushed(op, imm));
    }
  }
  return true;
}

/** The blocks entered by one jump edge and nothing else (see StackFlow.onlyEntry). */
function onlyEntries(a: Analysis, jumpTargets: Map<number, number[]>): Map<number, number> {
  const { blocks, blockAt } = a;
  // Edges into each block: -1 for an entry not by a jump (the code's start, falling through), else the source.
  const sources: number[][] = blocks.map(() => []);
  sources[0]?.push(-1);
  blocks.forEach((b, k) => {
    if (b.term === "fallthrough" || b.term === "jumpi" || b.term === "sled") {
      const next = blockAt.get(b.next);
      if (next !== undefined) sources[next].push(-1);
    }
    for (const pc of jumpTargets.get(k) ?? []) sources[blockAt.get(pc)!].push(k);
  });
  const only = new Map<number, number>();
  sources.forEach((from, k) => {
    if (from.length === 1 && from[0] >= 0 && from[0] !== k && blocks[k].term !== "sled") only.set(k, from[0]);
  });
  return only;
}
