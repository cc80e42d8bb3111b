/**
 * Spare memories for compiled instances (backends/wasm/instance_memory.ts) made in advance while the node is
 * idle (src/exec/spare_memories.ts): topped up to the stock, taken by frames, topped up again once none is free,
 * and not while the node is busy.
 */
import assert from "node:assert/strict";
import {
  giveBackMemory,
  memoryStats,
  onMemoryTaken,
  SPARE_STOCK,
  stockSpareMemory,
  takeMemory,
} from "../backends/wasm/instance_memory.ts";
import { keepSpareMemories } from "../src/exec/spare_memories.ts";

const until = async (what: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!what()) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 10));
  }
};

Deno.test("spare memories: stocked, taken before new ones are made, the listener told when none is left", () => {
  while (stockSpareMemory(SPARE_STOCK)) { /* up to the stock */ }
  assert.ok(memoryStats().spare >= SPARE_STOCK);
  assert.equal(stockSpareMemory(SPARE_STOCK), false);
  let told = 0;
  onMemoryTaken(() => told++);
  const taken = [];
  try {
    const before = memoryStats();
    const m = takeMemory();
    taken.push(m);
    assert.ok(m.memory instanceof WebAssembly.Memory && typeof m.runtime === "object");
    assert.deepEqual(memoryStats(), { created: before.created, reused: before.reused + 1, spare: before.spare - 1 });
    assert.equal(told, 0, "free memories are left");
    while (memoryStats().spare > 0) taken.push(takeMemory());
    assert.equal(told, 1, "the last free memory taken");
    taken.push(takeMemory());
    assert.equal(memoryStats().created, before.created + 1, "none free: one made");
    assert.equal(told, 2);
  } finally {
    onMemoryTaken(undefined);
    for (const m of taken) giveBackMemory(m);
  }
});

Deno.test("spare memories: kept topped up while idle, after the free ones run out; not while busy; stopped", async () => {
  let busy = true;
  const stop = keepSpareMemories({ idleMs: () => (busy ? 0 : 1_000) });
  try {
    while (memoryStats().spare > 0) takeMemory();
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(memoryStats().spare, 0, "nothing made while the node is busy");
    busy = false;
    await until(() => memoryStats().spare >= SPARE_STOCK);
    while (memoryStats().spare > 0) takeMemory();
    await until(() => memoryStats().spare >= SPARE_STOCK);
  } finally {
    stop();
  }
  const created = memoryStats().created;
  while (memoryStats().spare > 0) takeMemory();
  await new Promise((r) => setTimeout(r, 150));
  assert.equal(memoryStats().created, created, "stopped: nothing made after the free ones ran out");
});
