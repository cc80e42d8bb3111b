import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { HDKey } from "@scure/bip32";
import { mnemonicToSeedSync } from "@scure/bip39";
import { deriveDevAccounts, InvalidMnemonicError, PublicKeyCache } from "../../src/chain/dev_accounts.ts";
import { bytesToHex } from "../../src/primitives/hex.ts";
import { privateKeyToAddress, publicKeyOf, SECP256K1_N } from "../../src/primitives/signature.ts";
import { secp256k1 } from "@noble/curves/secp256k1.js";

const TEST = "test test test test test test test test test test test junk";
const ABANDON = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about";

Deno.test("dev accounts: the keys and addresses @scure/bip32 derives, for several mnemonics and paths", () => {
  for (const [mnemonic, path] of [[TEST, "m/44'/60'/0'/0/"], [ABANDON, "m/44'/60'/1'/"], [ABANDON, "m/0/1'/"]]) {
    const root = HDKey.fromMasterSeed(mnemonicToSeedSync(mnemonic));
    const accounts = deriveDevAccounts(mnemonic, 4, path);
    for (let i = 0; i < 4; i++) {
      const key = root.derive(`${path}${i}`).privateKey!;
      assert.equal(bytesToHex(accounts[i].privateKey), bytesToHex(key), `${path}${i}`);
      assert.equal(accounts[i].address, privateKeyToAddress(key));
    }
  }
  assert.equal(deriveDevAccounts(TEST, 1)[0].address, 0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266n);
});

Deno.test("dev accounts: a bad mnemonic or path is an error that says so", () => {
  assert.throws(() => deriveDevAccounts("test test test", 1), InvalidMnemonicError);
  assert.throws(() => deriveDevAccounts(TEST, 1, "44'/60'/"), InvalidMnemonicError);
  assert.throws(() => deriveDevAccounts(TEST, 1, "m/x/"), InvalidMnemonicError);
});

Deno.test("signature: SECP256K1_N is the order of @noble/curves' secp256k1", () => {
  assert.equal(SECP256K1_N, secp256k1.Point.CURVE().n);
});

Deno.test("public keys: the platform's and @noble/curves' agree; the file cache remembers and survives damage", () => {
  const key = deriveDevAccounts(TEST, 1)[0].privateKey;
  assert.deepEqual(publicKeyOf(key), secp256k1.getPublicKey(key, false));
  const dir = mkdtempSync(join(tmpdir(), "evmwasm-keys-"));
  try {
    const file = join(dir, "keys.json");
    let computed = 0;
    const compute = (k: Uint8Array) => (computed++, secp256k1.getPublicKey(k, false));
    const first = new PublicKeyCache(file, compute);
    assert.deepEqual(first.of(key), publicKeyOf(key));
    first.save();
    const second = new PublicKeyCache(file, compute);
    assert.deepEqual(second.of(key), publicKeyOf(key));
    assert.equal(computed, 1, "the second cache read the file");
    writeFileSync(file, "{not json");
    const third = new PublicKeyCache(file, compute);
    assert.deepEqual(third.of(key), publicKeyOf(key));
    third.save();
    assert.equal(computed, 2);
    assert.ok(JSON.parse(readFileSync(file, "utf8")));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

Deno.test("dev accounts: the default mnemonic's are kept in the cache folder; a damaged file is derived again", () => {
  const dir = mkdtempSync(join(tmpdir(), "evmwasm-accounts-"));
  const before = Deno.env.get("EVMWASM_CACHE_DIR");
  Deno.env.set("EVMWASM_CACHE_DIR", dir);
  try {
    const root = HDKey.fromMasterSeed(mnemonicToSeedSync(TEST));
    const expected = (n: number) => Array.from({ length: n }, (_, i) => bytesToHex(root.derive(`m/44'/60'/0'/0/${i}`).privateKey!));
    const file = join(dir, "dev-accounts.json");
    assert.deepEqual(deriveDevAccounts(TEST, 7).map((a) => bytesToHex(a.privateKey)), expected(7));
    const kept = JSON.parse(readFileSync(file, "utf8"));
    assert.equal(kept.length, 7);
    // Fewer accounts come from the file: a marked key shows it was read.
    kept[0].privateKey = "0x" + "11".repeat(32);
    writeFileSync(file, JSON.stringify(kept));
    assert.equal(bytesToHex(deriveDevAccounts(TEST, 6)[0].privateKey), kept[0].privateKey);
    writeFileSync(file, "[{\"address\": 1}");
    assert.deepEqual(deriveDevAccounts(TEST, 5).map((a) => bytesToHex(a.privateKey)), expected(5));
    assert.equal(JSON.parse(readFileSync(file, "utf8")).length, 5);
    // Another mnemonic's keys are not written down.
    deriveDevAccounts(ABANDON, 2);
    assert.equal(JSON.parse(readFileSync(file, "utf8")).length, 5);
  } finally {
    if (before === undefined) Deno.env.delete("EVMWASM_CACHE_DIR");
    else Deno.env.set("EVMWASM_CACHE_DIR", before);
    rmSync(dir, { recursive: true, force: true });
  }
});
