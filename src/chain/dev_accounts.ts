/** Dev accounts derived from a BIP-39 mnemonic along a BIP-44 path, as anvil and Hardhat do. */
import { HDKey } from "@scure/bip32";
import { mnemonicToSeedSync, validateMnemonic } from "@scure/bip39";
import { wordlist } from "@scure/bip39/wordlists/english.js";
import { BaseError } from "../errors/base.ts";
import { privateKeyToAddress } from "../primitives/signature.ts";

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

export function deriveDevAccounts(mnemonic: string, count: number, pathPrefix = DEFAULT_DERIVATION_PATH): DevAccount[] {
  const phrase = mnemonic.trim().split(/\s+/).join(" ");
  if (!validateMnemonic(phrase, wordlist)) {
    throw new InvalidMnemonicError("not a BIP-39 English mnemonic (unknown word or bad checksum)");
  }
  const root = HDKey.fromMasterSeed(mnemonicToSeedSync(phrase));
  const accounts: DevAccount[] = [];
  for (let i = 0; i < count; i++) {
    const privateKey = root.derive(`${pathPrefix}${i}`).privateKey;
    if (!privateKey) throw new InvalidMnemonicError(`no private key at ${pathPrefix}${i}`);
    accounts.push({ address: privateKeyToAddress(privateKey), privateKey });
  }
  return accounts;
}
