/** Signing with the dev accounts' keys: eth_sign, personal_sign, eth_signTypedData_v4, eth_signTransaction. */
import { keccak256 } from "../../primitives/hash.ts";
import { bigIntToBytes, bytesToHex, concatBytes } from "../../primitives/hex.ts";
import { signHash } from "../../primitives/signature.ts";
import { hashTypedData, type TypedData, TypedDataError } from "../../primitives/typed_data.ts";
import { encodeTransaction, signTransaction } from "../../tx/codec.ts";
import type { DevChain } from "../../chain/chain.ts";
import { fillTransaction } from "../../chain/send_request.ts";
import { address, callRequest, data, fail } from "../params.ts";
import type { MethodTable } from "../context.ts";
import { InvalidParamsError, RpcError } from "../errors.ts";

function keyOf(chain: DevChain, account: bigint): Uint8Array {
  const key = chain.privateKeyOf(account);
  if (!key) throw new RpcError(-32602, "No Signer available", { details: "only the dev accounts can sign" });
  return key;
}

/** 65-byte r || s || v signature with v = 27 + recovery bit. */
function signature(digest: Uint8Array, key: Uint8Array): string {
  const { r, s, yParity } = signHash(digest, key);
  return bytesToHex(concatBytes(bigIntToBytes(r), bigIntToBytes(s), new Uint8Array([27 + yParity])));
}

/** EIP-191 version 0x45: "\x19Ethereum Signed Message:\n" + length + message. */
function personalMessageHash(message: Uint8Array): Uint8Array {
  const prefix = new TextEncoder().encode(`\x19Ethereum Signed Message:\n${message.length}`);
  return keccak256(concatBytes(prefix, message));
}

function typedData(v: unknown, name: string): TypedData {
  let parsed = v;
  if (typeof v === "string") {
    try {
      parsed = JSON.parse(v);
    } catch {
      fail(name, "EIP-712 typed data (an object or its JSON text)", v);
    }
  }
  if (typeof parsed !== "object" || parsed === null) fail(name, "EIP-712 typed data (an object or its JSON text)", v);
  return parsed as TypedData;
}

function signTyped(chain: DevChain, account: bigint, data: TypedData): string {
  let digest: Uint8Array;
  try {
    digest = hashTypedData(data);
  } catch (e) {
    if (e instanceof TypedDataError) throw new InvalidParamsError(`invalid typedData: ${e.details}`);
    throw e;
  }
  return signature(digest, keyOf(chain, account));
}

export const signingMethods: MethodTable = {
  eth_sign: (p, { chain }) => {
    p.atMost(2);
    const account = p.required(0, "address", address);
    const message = p.required(1, "message", data);
    return signature(personalMessageHash(message), keyOf(chain, account));
  },
  personal_sign: (p, { chain }) => {
    p.atMost(3);
    const message = p.required(0, "message", data);
    const account = p.required(1, "address", address);
    return signature(personalMessageHash(message), keyOf(chain, account));
  },
  eth_signTypedData_v4: (p, { chain }) => {
    p.atMost(2);
    return signTyped(chain, p.required(0, "address", address), p.required(1, "typedData", typedData));
  },
  /**
   * Version 3 of EIP-712 signing (MetaMask's): as v4 for data without arrays, which v3 does not define. anvil
   * answers "Not implemented".
   */
  eth_signTypedData_v3: (p, { chain }) => {
    p.atMost(2);
    const account = p.required(0, "address", address);
    const data = p.required(1, "typedData", typedData);
    for (const [name, fields] of Object.entries(data.types ?? {})) {
      for (const f of fields ?? []) {
        if (typeof f?.type === "string" && f.type.endsWith("]")) {
          throw new InvalidParamsError(`invalid typedData: ${name}.${f.name} is an array, which eth_signTypedData_v3 does not support (use eth_signTypedData_v4)`);
        }
      }
    }
    return signTyped(chain, account, data);
  },
  eth_signTypedData: (p, { chain }) => {
    p.atMost(2);
    return signTyped(chain, p.required(0, "address", address), p.required(1, "typedData", typedData));
  },
  eth_signTransaction: (p, { chain }) => {
    p.atMost(1);
    const { tx, from } = fillTransaction(chain, p.required(0, "transaction", callRequest));
    return bytesToHex(encodeTransaction(signTransaction(tx, keyOf(chain, from))));
  },
};
