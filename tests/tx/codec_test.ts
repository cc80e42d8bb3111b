import assert from "node:assert/strict";
import { privateKeyToAccount } from "viem/accounts";
import { keccak256 as viemKeccak, type TransactionSerializable } from "viem";
import {
  decodeTransaction,
  encodeTransaction,
  recoverSender,
  signingHash,
  signTransaction,
  TransactionDecodeError,
  transactionHash,
  type UnsignedTransaction,
} from "../../src/tx/codec.ts";
import { TxType } from "../../src/tx/transaction.ts";
import { bytesToHex, concatBytes, hexToBigInt, hexToBytes } from "../../src/primitives/hex.ts";
import { rlpDecode, rlpEncode } from "../../src/primitives/rlp.ts";

const KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
const SENDER = 0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266n;
const TO = 0x70997970c51812dc3a010c7d01b50e0d17dc79c8n;
const account = privateKeyToAccount(KEY);

/** Signed with `cast mktx` 1.7.1 and the dev key. */
const CAST_VECTORS: Record<string, string> = {
  legacy155:
    "0xf88b07847735940082c3509470997970c51812dc3a010c7d01b50e0d17dc79c88203e8a4b3de648b000000000000000000000000000000000000000000000000000000000000002a82f4f6a003f6f99dfe948515fe1bd74eb08920b6db2642ff3b5042dd0d2018b7517707daa0765be81eba63e6ebe8f5bf15a75f5f0f0350c34bc692d7d17507412315e6fe49",
  eip1559:
    "0x02f874827a6903843b9aca0084b2d05e0082ea609470997970c51812dc3a010c7d01b50e0d17dc79c8880de0b6b3a764000080c001a0773788e6a4b65afbb7f727c0fb7ca004a4511a576f2c2571beaf7f6825c5e092a0099aeae04d86f4c176a9527a62e08dbb0d15c4f722250825bd034d8f10bc3b1e",
  create1559:
    "0x02f85c0180843b9aca0084b2d05e00830186a08080856001600155c080a051a9ea4cd54cefdc2afdd93aa6fe72c81f9ac834688e480fcf433f1a8a58ec78a029965daf5d10ef0b31b8d42a81034c6bfec2d7b3e9f501bca5fe4895a18ca010",
  eip7702:
    "0x04f8cd827a6901843b9aca0084b2d05e00830186a09470997970c51812dc3a010c7d01b50e0d17dc79c88080c0f85ef85c827a69945fbdb2315678afecb367f032d93f642f64180aa30201a071eae4e5c755053eb50d6a0d0ef9651c9fcb8cfe5231312d84a47b1404cae0afa034a7e06b132008641703d338593a27656f197b278cb193f3f8ca7deae3f0b57580a0c459439cab1a622a38426844c259f597a28785056a4d800e454bdb2ecc8a61eea02352b6b8690449fc78607e07b66dcd506eaaf1d6f71c8816dacb17d7a2f295d5",
};

Deno.test("cast-signed transactions decode, re-encode byte for byte and recover the dev account", () => {
  for (const [name, raw] of Object.entries(CAST_VECTORS)) {
    const tx = decodeTransaction(hexToBytes(raw));
    assert.equal(bytesToHex(encodeTransaction(tx)), raw, name);
    assert.equal(recoverSender(tx), SENDER, name);
    assert.equal(bytesToHex(transactionHash(tx)), viemKeccak(raw as `0x${string}`), name);
  }
  const legacy = decodeTransaction(hexToBytes(CAST_VECTORS.legacy155));
  assert.equal(legacy.chainId, 31337n);
  assert.equal(legacy.nonce, 7n);
  assert.equal(legacy.value, 1000n);
  const setCode = decodeTransaction(hexToBytes(CAST_VECTORS.eip7702));
  assert.equal(setCode.authorizationList?.length, 1);
  assert.equal(setCode.authorizationList?.[0].nonce, 2n);
  assert.equal(decodeTransaction(hexToBytes(CAST_VECTORS.create1559)).to, undefined);
});

const hexAddress = (a: bigint) => ("0x" + a.toString(16).padStart(40, "0")) as `0x${string}`;
const hexWord = (w: bigint) => ("0x" + w.toString(16).padStart(64, "0")) as `0x${string}`;

function toViem(tx: UnsignedTransaction): TransactionSerializable {
  const common = {
    chainId: tx.chainId === undefined ? undefined : Number(tx.chainId),
    nonce: Number(tx.nonce),
    gas: tx.gasLimit,
    to: tx.to === undefined ? undefined : hexAddress(tx.to),
    value: tx.value,
    data: bytesToHex(tx.data) as `0x${string}`,
  };
  const accessList = tx.accessList.map((e) => ({
    address: hexAddress(e.address),
    storageKeys: e.storageKeys.map(hexWord),
  }));
  const fees = { maxFeePerGas: tx.maxFeePerGas, maxPriorityFeePerGas: tx.maxPriorityFeePerGas };
  const byType = [
    { ...common, type: "legacy", gasPrice: tx.gasPrice },
    { ...common, type: "eip2930", gasPrice: tx.gasPrice, accessList },
    { ...common, type: "eip1559", ...fees, accessList },
    {
      ...common,
      type: "eip4844",
      ...fees,
      accessList,
      maxFeePerBlobGas: tx.maxFeePerBlobGas,
      blobVersionedHashes: tx.blobVersionedHashes?.map(hexWord),
    },
  ];
  return byType[tx.type] as unknown as TransactionSerializable;
}

const definedFields = (o: object) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

const SAMPLES: UnsignedTransaction[] = [
  {
    type: TxType.Legacy,
    nonce: 0n,
    gasPrice: 1n,
    gasLimit: 21000n,
    to: TO,
    value: 1n,
    data: new Uint8Array(),
    accessList: [],
  },
  {
    type: TxType.Legacy,
    chainId: 1n,
    nonce: 9n,
    gasPrice: 20_000_000_000n,
    gasLimit: 21000n,
    to: TO,
    value: 10n ** 18n,
    data: new Uint8Array(),
    accessList: [],
  },
  {
    type: TxType.Legacy,
    chainId: 31337n,
    nonce: 1n,
    gasPrice: 7n,
    gasLimit: 100000n,
    value: 0n,
    data: hexToBytes("0x6080604052"),
    accessList: [],
  },
  {
    type: TxType.AccessList,
    chainId: 31337n,
    nonce: 2n,
    gasPrice: 3n,
    gasLimit: 90000n,
    to: TO,
    value: 0n,
    data: hexToBytes("0x1234"),
    accessList: [{ address: TO, storageKeys: [0n, 1n, (1n << 255n) + 5n] }, { address: SENDER, storageKeys: [] }],
  },
  {
    type: TxType.FeeMarket,
    chainId: 31337n,
    nonce: 0n,
    maxFeePerGas: 2_000_000_000n,
    maxPriorityFeePerGas: 1n,
    gasLimit: 21000n,
    to: TO,
    value: 5n,
    data: new Uint8Array(),
    accessList: [{ address: TO, storageKeys: [7n] }],
  },
  {
    type: TxType.Blob,
    chainId: 31337n,
    nonce: 4n,
    maxFeePerGas: 3n,
    maxPriorityFeePerGas: 2n,
    gasLimit: 50000n,
    to: TO,
    value: 0n,
    data: hexToBytes("0xdeadbeef"),
    accessList: [],
    maxFeePerBlobGas: 10n,
    blobVersionedHashes: [hexToBigInt("0x01" + "ab".repeat(31)), hexToBigInt("0x01" + "cd".repeat(31))],
  },
];

Deno.test("signing matches viem for every type (pre-155 legacy, 155, 2930, 1559, 4844)", async () => {
  for (const tx of SAMPLES) {
    const ours = signTransaction(tx, hexToBytes(KEY));
    const theirs = await account.signTransaction(toViem(tx));
    assert.equal(bytesToHex(encodeTransaction(ours)), theirs, `type ${tx.type} chainId ${tx.chainId}`);
    const decoded = decodeTransaction(hexToBytes(theirs));
    assert.equal(recoverSender(decoded), SENDER);
    assert.deepEqual(definedFields(decoded), definedFields(ours));
    assert.deepEqual(signingHash(decoded), signingHash(tx));
  }
});

Deno.test("pre-EIP-155 legacy: v is 27/28 and chainId stays undefined", () => {
  const signed = signTransaction(SAMPLES[0], hexToBytes(KEY));
  assert.ok(signed.signature.v === 27n || signed.signature.v === 28n);
  assert.equal(decodeTransaction(encodeTransaction(signed)).chainId, undefined);
});

Deno.test("blob transaction in network form decodes to its canonical payload", () => {
  const signed = signTransaction(SAMPLES[5], hexToBytes(KEY));
  const canonical = encodeTransaction(signed);
  // network form: 0x03 || rlp([payload, blobs, commitments, proofs]), with empty sidecar lists here
  const payload = rlpDecode(canonical.subarray(1));
  const wrapped = concatBytes(new Uint8Array([0x03]), rlpEncode([payload, [], [], []]));
  const decoded = decodeTransaction(wrapped);
  assert.deepEqual(transactionHash(decoded), transactionHash(signed));
});

Deno.test("malformed transactions fail with TransactionDecodeError naming the problem", () => {
  const bad: [string, RegExp][] = [
    ["0x", /empty/],
    ["0x05c0", /unsupported transaction type 0x05/],
    ["0x02c0", /expected 12 fields/],
    ["0xc0", /expected 9 fields/],
    ["0x02ff", /invalid RLP/],
    ["0x80", /invalid first byte/],
  ];
  for (const [hex, re] of bad) {
    assert.throws(
      () => decodeTransaction(hexToBytes(hex)),
      (e: unknown) => e instanceof TransactionDecodeError && re.test(e.message),
      hex,
    );
  }
  // a nonce with a leading zero byte is not canonical
  const signed = encodeTransaction(signTransaction(SAMPLES[1], hexToBytes(KEY)));
  const hex = bytesToHex(signed).replace(/^0xf86c09/, "0xf86d8200" + "09");
  assert.throws(() => decodeTransaction(hexToBytes(hex)), TransactionDecodeError);
});

Deno.test("a high-s signature is rejected (EIP-2)", () => {
  const signed = signTransaction(SAMPLES[4], hexToBytes(KEY));
  const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
  const malleable = {
    ...signed,
    signature: { ...signed.signature, s: n - signed.signature.s, yParity: 1 - signed.signature.yParity },
  };
  assert.throws(() => recoverSender(malleable), /EIP-2/);
});
