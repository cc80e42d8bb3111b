/**
 * Parity-style (OpenEthereum, Erigon, reth) traces of a call tree: one flat entry per call, creation and
 * self-destruct with its traceAddress, as trace_transaction, trace_block, trace_filter and the "trace" of
 * trace_replay* and trace_call answer them; and the "stateDiff" of a transaction.
 */
import { bigIntToHex, bytesEqual, bytesToHex, hexAddress, hexWord } from "../primitives/hex.ts";
import type { WorldState } from "../state/world.ts";
import { haltName } from "../chain/halt_reason.ts";
import { type TraceNode, walkTree } from "./call_tree.ts";

/** Where a transaction's traces sit in the chain (absent for calls and replays). */
export interface TraceLocation {
  blockHash: string;
  blockNumber: number;
  transactionHash: string;
  transactionPosition: number;
}

export type ParityTrace = Record<string, unknown>;

/** Parity's words for why a frame failed. */
const PARITY_ERRORS: Record<string, string> = {
  OutOfGas: "Out of gas",
  MemoryLimitOOG: "Out of gas",
  InvalidFEOpcode: "Bad instruction",
  OpcodeNotFound: "Bad instruction",
  NotActivated: "Bad instruction",
  InvalidJump: "Bad jump destination",
  StackOverflow: "Out of stack",
  StackUnderflow: "Stack underflow",
  StateChangeDuringStaticCall: "Mutable Call In Static Context",
  OutOfOffset: "Out of bounds",
  CreateContractSizeLimit: "Contract code size limit exceeded",
  CreateContractStartingWithEF: "Bad instruction",
  CreateCollision: "Contract address already exists",
  CallTooDeep: "Out of stack",
  PrecompileError: "Built-in failed",
};

export function parityError(node: TraceNode): string | undefined {
  if (node.status === "revert") return "Reverted";
  if (node.status === "halt") return PARITY_ERRORS[haltName(node.error)] ?? "Out of gas";
  return undefined;
}

function actionAndResult(node: TraceNode): { type: string; action: Record<string, unknown>; result: unknown } {
  if (node.kind === "SELFDESTRUCT") {
    return {
      type: "suicide",
      action: { address: hexAddress(node.from), balance: bigIntToHex(node.value), refundAddress: hexAddress(node.to) },
      result: null,
    };
  }
  // A reverted frame keeps its result (gas used, revert data); a halted one has none.
  const failed = node.status === "halt";
  if (node.kind === "CREATE" || node.kind === "CREATE2") {
    return {
      type: "create",
      action: {
        from: hexAddress(node.from),
        gas: bigIntToHex(node.gas),
        init: bytesToHex(node.input),
        value: bigIntToHex(node.value),
        creationMethod: node.kind === "CREATE2" ? "create2" : "create",
      },
      result: node.status !== "success"
        ? null
        : { address: hexAddress(node.to), code: bytesToHex(node.output), gasUsed: bigIntToHex(node.gasUsed) },
    };
  }
  return {
    type: "call",
    action: {
      from: hexAddress(node.from),
      callType: node.kind.toLowerCase(),
      gas: bigIntToHex(node.gas),
      input: bytesToHex(node.input),
      to: hexAddress(node.to),
      value: bigIntToHex(node.value),
    },
    result: failed ? null : { gasUsed: bigIntToHex(node.gasUsed), output: bytesToHex(node.output) },
  };
}

/** The flat traces of one transaction's tree, in depth-first order. */
export function parityTraces(root: TraceNode, at?: TraceLocation): ParityTrace[] {
  const out: ParityTrace[] = [];
  for (const { node, path } of walkTree(root)) {
    const { type, action, result } = actionAndResult(node);
    const trace: ParityTrace = { action };
    if (at) {
      trace.blockHash = at.blockHash;
      trace.blockNumber = at.blockNumber;
    }
    const error = parityError(node);
    if (error !== undefined) trace.error = error;
    trace.result = result;
    trace.subtraces = node.calls.length;
    trace.traceAddress = path;
    if (at) {
      trace.transactionHash = at.transactionHash;
      trace.transactionPosition = at.transactionPosition;
    }
    trace.type = type;
    out.push(trace);
  }
  return out;
}

/** Whether a trace involves `address` (as caller, callee, creation, self-destruct or beneficiary). */
export function traceTouches(trace: ParityTrace, address: string): boolean {
  const a = trace.action as Record<string, unknown>;
  const r = trace.result as Record<string, unknown> | null;
  return a.from === address || a.to === address || a.address === address || a.refundAddress === address ||
    (r !== null && r?.address === address);
}

type Diff = "=" | { "+": string } | { "-": string } | { "*": { from: string; to: string } };

function diff(before: string | undefined, after: string | undefined): Diff {
  if (before === after) return "=";
  if (before === undefined) return { "+": after! };
  if (after === undefined) return { "-": before };
  return { "*": { from: before, to: after } };
}

/**
 * Parity's stateDiff of one transaction: for each account touched whose state changed, balance, code, nonce
 * and the changed storage slots, each "=" (same), {"+": new}, {"-": gone} or {"*": {from, to}}.
 */
export function stateDiff(
  pre: WorldState,
  post: WorldState,
  touched: Iterable<bigint>,
  slots: (address: bigint) => Iterable<bigint>,
  created: (address: bigint) => boolean,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const sorted = [...new Set(touched)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (const a of sorted) {
    // Only an account the transaction created is "+"; any other was there before (absent: empty), as anvil has it.
    const existed = !created(a), exists = post.exists(a) || existed;
    if (!pre.exists(a) && !post.exists(a)) continue;
    const field = (present: boolean, get: () => string) => (present ? get() : undefined);
    const balance = diff(
      field(existed, () => bigIntToHex(pre.getBalance(a))),
      field(exists, () => bigIntToHex(post.getBalance(a))),
    );
    const nonce = diff(
      field(existed, () => bigIntToHex(pre.getNonce(a))),
      field(exists, () => bigIntToHex(post.getNonce(a))),
    );
    const codeBefore = pre.getCode(a), codeAfter = post.getCode(a);
    const code = existed && exists && bytesEqual(codeBefore, codeAfter)
      ? "="
      : diff(field(existed, () => bytesToHex(codeBefore)), field(exists, () => bytesToHex(codeAfter)));
    const storage: Record<string, Diff> = {};
    for (const slot of slots(a)) {
      const before = existed ? pre.getStorage(a, slot) : 0n;
      const after = exists ? post.getStorage(a, slot) : 0n;
      if (before === after) continue;
      storage[hexWord(slot)] = !existed
        ? { "+": hexWord(after) }
        : !exists
        ? { "-": hexWord(before) }
        : { "*": { from: hexWord(before), to: hexWord(after) } };
    }
    if (balance === "=" && nonce === "=" && code === "=" && Object.keys(storage).length === 0) continue;
    out[hexAddress(a)] = { balance, code, nonce, storage };
  }
  return out;
}
