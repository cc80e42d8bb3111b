/** Unit tests of the dev chain's parts: fees, clock, revert reasons, typed data, proofs, blooms. */
import assert from "node:assert/strict";
import { encodeErrorResult, hashTypedData as viemHashTypedData, parseAbi } from "viem";
import { nextBaseFee } from "../../src/chain/fees.ts";
import { BlockClock, TimestampError } from "../../src/chain/block_clock.ts";
import { decodeRevertReason } from "../../src/chain/revert_reason.ts";
import { logsBloom } from "../../src/chain/bloom.ts";
import { chainHardfork } from "../../src/chain/hardfork.ts";
import { haltName } from "../../src/chain/halt_reason.ts";
import { hashTypedData } from "../../src/primitives/typed_data.ts";
import { bytesToHex, hexToBytes } from "../../src/primitives/hex.ts";
import { keccak256 } from "../../src/primitives/hash.ts";
import { ProofTrie } from "../../src/state/proof.ts";
import { trieRoot } from "../../src/state/trie.ts";
import { Fork } from "../../src/forks/fork.ts";

Deno.test("EIP-1559 base fee: up to 1/8 per block around the half-full target", () => {
  const limit = 30_000_000n;
  assert.equal(nextBaseFee(1_000_000_000n, 15_000_000n, limit), 1_000_000_000n);
  assert.equal(nextBaseFee(1_000_000_000n, 30_000_000n, limit), 1_125_000_000n);
  assert.equal(nextBaseFee(1_000_000_000n, 0n, limit), 875_000_000n);
  assert.equal(nextBaseFee(1_000_000_000n, 21_000n, limit), 875_175_000n); // anvil's block 2 after one transfer
  assert.equal(nextBaseFee(7n, 15_000_001n, limit), 8n, "an increase is at least 1 wei");
});

Deno.test("block clock: wall time plus offset, exact next timestamp, never below the parent", () => {
  let now = 1000n;
  const clock = new BlockClock(500n, () => now);
  assert.equal(clock.takeNext(), 500n);
  now = 1010n;
  assert.equal(clock.takeNext(), 510n);
  clock.increase(100n);
  assert.equal(clock.takeNext(), 610n);
  clock.setNext(2000n);
  assert.equal(clock.takeNext(), 2000n);
  assert.equal(clock.takeNext(), 2000n, "the offset follows the exact timestamp; equal timestamps are allowed");
  assert.throws(() => clock.setNext(1999n), TimestampError);
  clock.setInterval(12n);
  assert.equal(clock.takeNext(), 2012n);
  const saved = clock.save();
  clock.takeNext();
  clock.restore(saved);
  assert.equal(clock.takeNext(), 2024n);
});

Deno.test("revert reasons decode as anvil words them", () => {
  const err = hexToBytes(
    encodeErrorResult({ abi: parseAbi(["error Error(string)"]), errorName: "Error", args: ["no way"] }),
  );
  assert.equal(decodeRevertReason(err), "no way");
  const panic = (code: number) => hexToBytes("0x4e487b71" + code.toString(16).padStart(64, "0"));
  assert.equal(decodeRevertReason(panic(0x11)), "panic: arithmetic underflow or overflow (0x11)");
  assert.equal(decodeRevertReason(panic(0x12)), "panic: division or modulo by zero (0x12)");
  assert.equal(decodeRevertReason(panic(0xff)), "panic: unknown code (0xff)");
  assert.equal(decodeRevertReason(new Uint8Array()), undefined);
  assert.equal(decodeRevertReason(new TextEncoder().encode("hello")), "hello");
  assert.equal(decodeRevertReason(hexToBytes("0x08c379a0ff")), "custom error 0x08c379a0: ff");
  assert.equal(decodeRevertReason(hexToBytes("0xdeadbeef")), "custom error 0xdeadbeef");
});

Deno.test("EIP-712 hashing matches viem", () => {
  const cases = [
    {
      domain: {
        name: "Ether Mail",
        version: "1",
        chainId: 1,
        verifyingContract: "0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC",
      },
      types: {
        Person: [{ name: "name", type: "string" }, { name: "wallet", type: "address" }],
        Mail: [{ name: "from", type: "Person" }, { name: "to", type: "Person" }, { name: "contents", type: "string" }],
      },
      primaryType: "Mail",
      message: {
        from: { name: "Cow", wallet: "0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826" },
        to: { name: "Bob", wallet: "0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB" },
        contents: "Hello, Bob!",
      },
    },
    {
      domain: { name: "T", chainId: 31337, salt: "0x" + "11".repeat(32) },
      types: {
        Item: [{ name: "ids", type: "uint256[]" }, { name: "flag", type: "bool" }, { name: "blob", type: "bytes" }, {
          name: "short",
          type: "bytes4",
        }, { name: "delta", type: "int64" }],
        Order: [{ name: "items", type: "Item[2]" }, { name: "owner", type: "address" }],
      },
      primaryType: "Order",
      message: {
        items: [
          { ids: [1, 2, 3], flag: true, blob: "0xdeadbeef", short: "0x01020304", delta: -5 },
          { ids: [], flag: false, blob: "0x", short: "0x00000000", delta: 7 },
        ],
        owner: "0x0000000000000000000000000000000000000001",
      },
    },
  ];
  for (const c of cases) {
    const viemMessage = JSON.parse(
      JSON.stringify(c.message),
      (k, v) => (k === "ids" ? v.map(BigInt) : k === "delta" ? BigInt(v) : v),
    );
    const expected = viemHashTypedData({ ...c, message: viemMessage } as never);
    assert.equal(bytesToHex(hashTypedData(c as never)), expected);
  }
});

Deno.test("proof trie: same root as trie.ts, and a proof for every key", () => {
  for (const n of [0, 1, 2, 3, 17, 200]) {
    const entries: [Uint8Array, Uint8Array][] = [];
    for (let i = 0; i < n; i++) {
      entries.push([keccak256(new Uint8Array([i, i >> 8])), new Uint8Array(1 + (i % 40)).fill(i & 255 || 1)]);
    }
    const trie = new ProofTrie(entries);
    assert.deepEqual(trie.root(), trieRoot(entries), `root of ${n}`);
    for (const [k] of entries.slice(0, 20)) {
      const proof = trie.prove(k);
      assert.ok(proof.length >= 1);
      assert.deepEqual(keccak256(proof[0]), trie.root(), "the first node is the root");
    }
  }
});

Deno.test("logs bloom sets three bits per item", () => {
  const bloom = logsBloom([{ address: 1n, topics: [2n], data: new Uint8Array() }]);
  const bits = [...bloom].reduce((n, b) => n + b.toString(2).split("1").length - 1, 0);
  assert.ok(bits > 0 && bits <= 6);
  assert.deepEqual(logsBloom([]), new Uint8Array(256));
});

Deno.test("hardforks: default is Osaka with the BPO1 blob schedule and no EIP-7825 cap", () => {
  const hf = chainHardfork();
  assert.equal(hf.name, "Bpo1");
  assert.equal(hf.fork, Fork.Osaka);
  assert.equal(hf.rules.txGasLimitCap, 0);
  assert.equal(hf.blobSchedule.max, 15);
  assert.equal(chainHardfork("osaka", { enforceTxGasLimitCap: true }).rules.txGasLimitCap, 1 << 24);
  assert.equal(chainHardfork("cancun").name, "Cancun");
  // Every fork from Frontier (issue 18 item 8), and the bomb-only forks as the fork they follow.
  assert.equal(chainHardfork("frontier").fork, Fork.Frontier);
  assert.equal(chainHardfork("berlin").name, "Berlin");
  assert.equal(chainHardfork("muirGlacier").fork, Fork.Istanbul);
  assert.equal(chainHardfork("gray-glacier").name, "GrayGlacier");
  assert.equal(chainHardfork("gray-glacier").bombDelay, 11_400_000n);
  assert.equal(chainHardfork("bpo2").blobSchedule.max, 21);
  assert.throws(() => chainHardfork("bpo3"), /no default blob schedule/);
  assert.throws(() => chainHardfork("olympic"), /unknown fork/);
});

Deno.test("incremental state root equals the from-scratch root through random changes", async () => {
  const { WorldState } = await import("../../src/state/world.ts");
  const { Account } = await import("../../src/state/account.ts");
  const { StateHistory } = await import("../../src/state/history.ts");
  const { StateRootTracker } = await import("../../src/chain/state_root.ts");
  let seed = 12345;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const world = new WorldState();
  const history = new StateHistory(world);
  const tracker = new StateRootTracker();
  assert.deepEqual(tracker.root(world, history.takeDirty()), world.stateRoot());
  for (let round = 0; round < 60; round++) {
    const mark = world.checkpoint();
    for (let op = 0; op < 25; op++) {
      const address = BigInt(rand(30) + 1);
      switch (rand(9)) {
        case 0:
          world.setBalance(address, BigInt(rand(1000)));
          break;
        case 1:
          world.setNonce(address, BigInt(rand(5)));
          break;
        case 2:
          world.setCode(address, rand(2) ? new Uint8Array([rand(256), 1, 2]) : new Uint8Array());
          break;
        case 3:
          world.setStorage(address, BigInt(rand(400)), BigInt(rand(3)));
          break; // zero values too
        case 4:
          world.clearStorage(address);
          break;
        case 5:
          world.deleteAccount(address);
          break;
        case 6:
          world.setAccountDirect(address, new Account(1n, BigInt(rand(9)), new Uint8Array(), new Map([[1n, 2n]])));
          break;
        case 7:
          world.updateAccount(address, { balance: BigInt(rand(50)) });
          world.setStorageDirect(address, BigInt(rand(400)), BigInt(rand(1 << 30)));
          break;
        default:
          for (let i = 0; i < 20; i++) world.setStorage(address, BigInt(rand(400)), BigInt(rand(1 << 30)));
          break;
      }
    }
    if (rand(3) === 0) world.revertTo(mark); // a reverted transaction's changes are undone by its journal
    world.finishTransaction();
    assert.deepEqual(bytesToHex(tracker.root(world, history.takeDirty())), bytesToHex(world.stateRoot()), `round ${round}`);
  }
});

Deno.test("halt names: as revm names them; an opcode of a later fork is NotActivated, an undefined one OpcodeNotFound", () => {
  assert.equal(haltName("invalid opcode 0x5f"), "NotActivated"); // PUSH0, Shanghai
  assert.equal(haltName("invalid opcode 0xf4"), "NotActivated"); // DELEGATECALL, Homestead
  assert.equal(haltName("invalid opcode 0x1e"), "NotActivated"); // CLZ, Osaka
  assert.equal(haltName("invalid opcode 0x0c"), "OpcodeNotFound");
  assert.equal(haltName("invalid opcode 0xfe"), "InvalidFEOpcode");
  assert.equal(haltName("out of gas: call"), "OutOfGas");
  assert.equal(haltName(undefined), "Unknown");
});
