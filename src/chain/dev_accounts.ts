/**
 * Dev accounts derived from a BIP-39 mnemonic along a BIP-32/44 path, as anvil and Hardhat do.
 *
 * Start-up cost is the point: the seed (PBKDF2-HMAC-SHA512, 2048 rounds) and the key chain (HMAC-SHA512) use
 * the platform's crypto (node:crypto), a few milliseconds where the JavaScript implementations took about 150.
 * Public keys come from the platform where it has secp256k1 (Deno); elsewhere (Bun) from @noble/curves, whose
 * first multiplications cost about 100 ms cold, so the addresses computed that way are kept in a small file in
 * the cache folder, keyed by a hash of the private key. The default mnemonic's accounts (which anvil and
 * Hardhat print at every start: public knowledge) are kept there too, so that a default start derives nothing
 * (under Bun it loaded node:crypto and the BIP-39 word list for it, about 15 ms).
 */
import { npmPackage } from "../npm_packages.ts";
import { BaseError } from "../errors/base.ts";
import { keccak256 } from "../primitives/hash.ts";
import { bigIntToBytes, bytesToBigInt, bytesToHex, hexAddress, hexToBytes } from "../primitives/hex.ts";
import { hasNativeSecp256k1, nodeCrypto, publicKeyOf, SECP256K1_N } from "../primitives/signature.ts";
import { defaultCacheDir, writeFileAtomically } from "../cache_dir.ts";
import { joinPath, readTextIfPresent } from "../runtime.ts";

export const DEFAULT_MNEMONIC = "test test test test test test test test test test test junk";
/** The account index is appended to this prefix. */
export const DEFAULT_DERIVATION_PATH = "m/44'/60'/0'/0/";

export interface DevAccount {
  address: bigint;
  privateKey: Uint8Array;
}

export class InvalidMnemonicError extends BaseError {
  override name = "InvalidMnemonicError";
  constructor(details: string) {
    super("invalid mnemonic", { details });
  }
}

const HARDENED = 0x80000000;

interface ExtendedKey {
  key: Uint8Array;
  chainCode: Uint8Array;
}

function hmacSha512(key: Uint8Array | string, data: Uint8Array): Uint8Array {
  return new Uint8Array(nodeCrypto().createHmac("sha512", key).update(data).digest());
}

/** BIP-32 CKDpriv; `publicKey` gives the parent's public key for a non-hardened index. */
function deriveChild(parent: ExtendedKey, index: number, publicKey: (key: Uint8Array) => Uint8Array): ExtendedKey {
  const data = new Uint8Array(37);
  if (index >= HARDENED) data.set(parent.key, 1);
  else {
    const pub = publicKey(parent.key);
    data[0] = (pub[64] & 1) === 0 ? 2 : 3;
    data.set(pub.subarray(1, 33), 1);
  }
  new DataView(data.buffer).setUint32(33, index);
  const i = hmacSha512(parent.chainCode, data);
  const tweak = bytesToBigInt(i.subarray(0, 32));
  const child = (tweak + bytesToBigInt(parent.key)) % SECP256K1_N;
  // Probability below 2^-127; BIP-32 says to go on with the next index, which no wallet has ever needed.
  if (tweak >= SECP256K1_N || child === 0n) throw new InvalidMnemonicError(`index ${index} gives no valid key`);
  return { key: bigIntToBytes(child), chainCode: i.slice(32) };
}

/** "m/44'/60'/0'/0/" + index: the indices of each level (a trailing slash means the account index follows). */
function parsePath(path: string): number[] {
  const parts = path.replace(/\/$/, "").split("/");
  if (parts[0] !== "m") throw new InvalidMnemonicError(`derivation path "${path}" must start with m/`);
  return parts.slice(1).map((p) => {
    const m = /^([0-9]+)(['hH]?)$/.exec(p);
    if (!m || Number(m[1]) >= HARDENED) throw new InvalidMnemonicError(`derivation path "${path}": bad level "${p}"`);
    return Number(m[1]) + (m[2] ? HARDENED : 0);
  });
}

/**
 * BIP-39's checksum over the English word list, loaded when first needed (src/npm_packages.ts).
 */
function validMnemonic(phrase: string): boolean {
  const { validateMnemonic } = npmPackage<typeof import("@scure/bip39")>("@scure/bip39");
  type Wordlist = typeof import("@scure/bip39/wordlists/english.js");
  const { wordlist } = npmPackage<Wordlist>("@scure/bip39/wordlists/english.js");
  return validateMnemonic(phrase, wordlist);
}

/** The 64-byte BIP-39 seed (no passphrase). */
export function mnemonicToSeed(mnemonic: string): Uint8Array {
  const phrase = mnemonic.normalize("NFKD").trim().split(/\s+/).join(" ");
  if (!validMnemonic(phrase)) {
    throw new InvalidMnemonicError("not a BIP-39 English mnemonic (unknown word or bad checksum)");
  }
  return new Uint8Array(nodeCrypto().pbkdf2Sync(phrase, "mnemonic", 2048, 64, "sha512"));
}

const derived = new Map<string, DevAccount[]>();

export function deriveDevAccounts(mnemonic: string, count: number, pathPrefix = DEFAULT_DERIVATION_PATH): DevAccount[] {
  const id = `${mnemonic}\n${count}\n${pathPrefix}`;
  const known = derived.get(id);
  if (known) return known;
  const keep = mnemonic === DEFAULT_MNEMONIC && pathPrefix === DEFAULT_DERIVATION_PATH && count <= KEPT_ACCOUNTS_MAX;
  const file = joinPath(defaultCacheDir(), "dev-accounts.json");
  const kept = keep ? readKeptAccounts(file, count) : undefined;
  if (kept) {
    derived.set(id, kept);
    return kept;
  }
  const seed = mnemonicToSeed(mnemonic);
  const master = hmacSha512("Bitcoin seed", seed);
  const publicKeys = new PublicKeyCache(
    hasNativeSecp256k1() ? undefined : joinPath(defaultCacheDir(), "dev-public-keys.json"),
  );
  const publicKey = (key: Uint8Array) => publicKeys.of(key);
  let parent: ExtendedKey = { key: master.slice(0, 32), chainCode: master.slice(32) };
  for (const index of parsePath(pathPrefix)) parent = deriveChild(parent, index, publicKey);
  const parentKey = publicKey(parent.key);
  const accounts = Array.from({ length: count }, (_, i) => {
    const privateKey = deriveChild(parent, i, () => parentKey).key;
    return { address: bytesToBigInt(keccak256(publicKey(privateKey).subarray(1)).subarray(12)), privateKey };
  });
  publicKeys.save();
  derived.set(id, accounts);
  if (keep) keepAccounts(file, accounts);
  return accounts;
}

/** The default mnemonic's accounts are kept in the cache folder up to this many. */
const KEPT_ACCOUNTS_MAX = 1_000;

/** The first `count` kept accounts, or undefined when fewer are kept or the file is missing or damaged. */
function readKeptAccounts(file: string, count: number): DevAccount[] | undefined {
  try {
    const kept = JSON.parse(readTextIfPresent(file) ?? "null");
    if (!Array.isArray(kept) || kept.length < count) return undefined;
    return kept.slice(0, count).map((a) => {
      if (!/^0x[0-9a-f]{64}$/.test(a?.privateKey) || !/^0x[0-9a-f]{40}$/.test(a?.address)) throw new Error("damaged");
      return { address: BigInt(a.address), privateKey: hexToBytes(a.privateKey) };
    });
  } catch {
    return undefined; // derived again and rewritten
  }
}

function keepAccounts(file: string, accounts: DevAccount[]): void {
  const rows = accounts.map((a) => ({
    address: hexAddress(a.address),
    privateKey: bytesToHex(a.privateKey),
  }));
  try {
    writeFileAtomically(file, JSON.stringify(rows), { makeDir: true });
  } catch { /* a read-only cache folder only costs the next start its time */ }
}

/** Public keys of private keys, remembered on disk where the platform cannot compute them natively. */
export class PublicKeyCache {
  private entries: Record<string, string> = {};
  private changed = false;

  /** Without a file, nothing is remembered. */
  constructor(private readonly file?: string, private readonly compute = publicKeyOf) {
    if (!file) return;
    try {
      const text = readTextIfPresent(file);
      if (text !== undefined) {
        const parsed = JSON.parse(text);
        if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) this.entries = parsed;
      }
    } catch { /* unreadable or damaged: computed again and rewritten */ }
  }

  of(privateKey: Uint8Array): Uint8Array {
    if (!this.file) return this.compute(privateKey);
    const id = bytesToHex(keccak256(privateKey)).slice(2);
    const hit = this.entries[id];
    if (typeof hit === "string" && /^04[0-9a-f]{128}$/.test(hit)) return hexToBytes("0x" + hit);
    const pub = this.compute(privateKey);
    this.entries[id] = bytesToHex(pub).slice(2);
    this.changed = true;
    return pub;
  }

  save(): void {
    if (!this.file || !this.changed) return;
    const ids = Object.keys(this.entries);
    if (ids.length > 4_000) this.entries = Object.fromEntries(ids.slice(-2_000).map((k) => [k, this.entries[k]]));
    try {
      writeFileAtomically(this.file, JSON.stringify(this.entries), { makeDir: true });
    } catch { /* a read-only cache folder only costs the next start its time */ }
  }
}
