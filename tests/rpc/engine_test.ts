/** engine_newPayloadV1-V4: the execution-apis chain handed over as payloads, and payloads that are not valid. */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { decodeBlock, splitChainFile } from "../../src/chain/block_codec.ts";
import { Interpreter } from "../../backends/interpreter/interpreter.ts";
import { DevChain } from "../../src/chain/chain.ts";
import { loadGenesisFile } from "../../src/chain/genesis.ts";
import { headerHash, headerToRlp } from "../../src/chain/header.ts";
import { importBlock, importChainFile } from "../../src/chain/import.ts";
import { Fork } from "../../src/forks/fork.ts";
import { keccak256 } from "../../src/primitives/hash.ts";
import { bigIntToHex, bytesToHex } from "../../src/primitives/hex.ts";
import { rlpEncode } from "../../src/primitives/rlp.ts";
import { formatExecutionPayload } from "../../src/rpc/format.ts";
import { engineMethods } from "../../src/rpc/methods/engine.ts";
import { Params } from "../../src/rpc/params.ts";
import type { RpcContext } from "../../src/rpc/context.ts";
import { RpcError } from "../../src/rpc/errors.ts";

const APIS = new URL("../../../shared/fixtures/execution-apis/tests/", import.meta.url).pathname;
const haveApis = existsSync(join(APIS, "chain.rlp"));

type Status = { status: string; latestValidHash: string | null; validationError: string | null };

/** A block's RLP as engine_newPayloadV`version` params; `requests`: the block's EIP-7685 requests. */
function payloadParams(rlp: Uint8Array, version: number, requests: Uint8Array[] = []): unknown[] {
  const { header: h, transactions, withdrawals } = decodeBlock(rlp);
  const payload = formatExecutionPayload(h, headerHash(h), transactions.map((t) => t.encoded), withdrawals);
  if (version < 3) return [payload];
  const blobHashes = transactions.flatMap(({ tx }) => (tx.blobVersionedHashes ?? []).map((x) => bigIntToHex(x)))
    .map((x) => "0x" + x.slice(2).padStart(64, "0"));
  const params: unknown[] = [payload, blobHashes, bytesToHex(h.parentBeaconBlockRoot!)];
  if (version >= 4) params.push(requests.map(bytesToHex));
  return params;
}

Deno.test({
  name: "engine_newPayload: the execution-apis chain's post-merge blocks import as payloads, V1 to V4",
  ignore: !haveApis,
  fn: () => {
    const chain = new DevChain({ genesis: loadGenesisFile(join(APIS, "genesis.json")), noMining: true, backend: new Interpreter() });
    const ctx = { chain } as RpcContext;
    const call = (method: string, params: unknown[]) => engineMethods[method](new Params(params), ctx);
    // The requests of each block, which a payload carries beside it: from the chain imported as a file.
    const reference = new DevChain({ genesis: loadGenesisFile(join(APIS, "genesis.json")), noMining: true, backend: new Interpreter() });
    importChainFile(reference, readFileSync(join(APIS, "chain.rlp")));
    let withRequests = 0;
    const versions = new Set<number>();
    for (const rlp of splitChainFile(readFileSync(join(APIS, "chain.rlp"))).blocks) {
      const { header } = decodeBlock(rlp);
      if (header.difficulty > 0n) {
        importBlock(chain, rlp);
        continue;
      }
      const fork = chain.hardforkAt(header.number, header.timestamp, true).fork;
      const version = fork >= Fork.Prague ? 4 : fork >= Fork.Cancun ? 3 : fork >= Fork.Shanghai ? 2 : 1;
      versions.add(version);
      const requests = reference.blockByNumber(header.number)!.requests ?? [];
      if (requests.length > 0) withRequests++;
      const params = payloadParams(rlp, version, requests);
      if (version > 1) {
        // The fork's own version only.
        const older = version === 2 ? 1 : version - 1;
        assert.throws(() => call(`engine_newPayloadV${older}`, params.slice(0, older === 1 || older === 2 ? 1 : 3)));
      }
      const r = call(`engine_newPayloadV${version}`, params) as Status;
      assert.deepEqual(r, { status: "VALID", latestValidHash: bytesToHex(headerHash(header)), validationError: null });
      // The same payload again: known, still valid; the head does not move.
      assert.equal((call(`engine_newPayloadV${version}`, params) as Status).status, "VALID");
      assert.equal(chain.blockNumber, header.number);
    }
    assert.deepEqual([...versions].sort(), [1, 2, 3, 4]);
    assert.ok(withRequests > 0, "no block with requests");
    const fcu = JSON.parse(readFileSync(join(APIS, "headfcu.json"), "utf8"));
    assert.equal(bytesToHex(chain.latest.hash), fcu.params[0].headBlockHash);
    chain.close();
    reference.close();
  },
});

Deno.test({
  name: "engine_newPayload: a wrong root, hash, blob hashes or parent is answered as the Engine API says",
  ignore: !haveApis,
  fn: () => {
    const chain = new DevChain({ genesis: loadGenesisFile(join(APIS, "genesis.json")), noMining: true, backend: new Interpreter() });
    const ctx = { chain } as RpcContext;
    const call = (method: string, params: unknown[]) => engineMethods[method](new Params(params), ctx);
    const blocks = splitChainFile(readFileSync(join(APIS, "chain.rlp"))).blocks;
    const last = blocks.length - 1;
    for (const rlp of blocks.slice(0, last)) importBlock(chain, rlp);
    const head = bytesToHex(chain.latest.hash);
    const params = payloadParams(blocks[last], 4);
    const payload = params[0] as Record<string, string>;
    // A wrong state root under a hash that matches it: INVALID, naming the field; the head stays.
    const { header } = decodeBlock(blocks[last]);
    const badHeader = { ...header, stateRoot: new Uint8Array(32).fill(0xab) };
    const bad = {
      ...payload,
      stateRoot: bytesToHex(badHeader.stateRoot),
      blockHash: bytesToHex(headerHash(badHeader)),
    };
    const r = call("engine_newPayloadV4", [bad, ...params.slice(1)]) as Status;
    assert.equal(r.status, "INVALID");
    assert.equal(r.latestValidHash, head);
    assert.match(r.validationError!, /stateRoot is 0xabab/);
    assert.equal(bytesToHex(chain.latest.hash), head);
    // A block hash that is not the payload's.
    const wrongHash = { ...payload, blockHash: "0x" + "11".repeat(32) };
    const h = call("engine_newPayloadV4", [wrongHash, ...params.slice(1)]) as Status;
    assert.equal(h.status, "INVALID");
    assert.match(h.validationError!, /blockHash is 0x1111/);
    // Blob hashes that the transactions do not have.
    const blobs = call("engine_newPayloadV4", [payload, ["0x01" + "22".repeat(31)], ...params.slice(2)]) as Status;
    assert.equal(blobs.status, "INVALID");
    assert.match(blobs.validationError!, /expectedBlobVersionedHashes/);
    // An unknown parent: the node would have to sync.
    const orphanHeader = { ...header, parentHash: new Uint8Array(32).fill(7) };
    const orphan = {
      ...payload,
      parentHash: bytesToHex(orphanHeader.parentHash),
      blockHash: bytesToHex(keccak256(rlpEncode(headerToRlp(orphanHeader)))),
    };
    assert.deepEqual(call("engine_newPayloadV4", [orphan, ...params.slice(1)]), {
      status: "SYNCING",
      latestValidHash: null,
      validationError: null,
    });
    // Requests out of order, and a fork's payload under another version, are errors of the call.
    assert.throws(
      () => call("engine_newPayloadV4", [payload, params[1], params[2], ["0x0101", "0x0001"]]),
      /increasing/,
    );
    const v3 = call.bind(null, "engine_newPayloadV3", params.slice(0, 3));
    assert.throws(v3, (e) => e instanceof RpcError && e.code === -38005);
    assert.equal(bytesToHex(chain.latest.hash), head);
    // The real payload still imports.
    assert.equal((call("engine_newPayloadV4", params) as Status).status, "VALID");
    chain.close();
  },
});
