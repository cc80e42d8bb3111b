/**
 * Result schemas of the methods the suite checks by schema only (`speconly`
 * files), written from the execution-apis OpenRPC specification's types, and
 * a small validator for the JSON-schema subset they use.
 */

export interface Schema {
  type?: string | string[];
  pattern?: RegExp;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  required?: string[];
  properties?: Record<string, Schema>;
  /** false: no other properties; a schema: every other property matches it. */
  additionalProperties?: false | Schema;
  items?: Schema;
  oneOf?: Schema[];
  anyOf?: Schema[];
  allOf?: Schema[];
}

// ---- base types ----

const str = (pattern: RegExp): Schema => ({ type: "string", pattern });
const uint = str(/^0x(0|[1-9a-f][0-9a-f]*)$/);
const uint64 = str(/^0x(0|[1-9a-f][0-9a-f]{0,15})$/);
const uint256 = str(/^0x(0|[1-9a-f][0-9a-f]{0,63})$/);
const bytes = str(/^0x[0-9a-f]*$/);
const bytes32 = str(/^0x[0-9a-f]{64}$/);
const hash32 = bytes32;
const byte = str(/^0x[0-9a-f]{1,2}$/);
const address = str(/^0x[0-9a-fA-F]{40}$/);
const ratio: Schema = { type: "number", minimum: 0, maximum: 1 };
const nonNegative: Schema = { type: "integer", minimum: 0 };
const arrayOf = (items: Schema): Schema => ({ type: "array", items });
const nullable = (s: Schema): Schema => ({ oneOf: [{ type: "null" }, s] });

// ---- transactions ----

const accessList = arrayOf({
  type: "object",
  additionalProperties: false,
  required: ["address", "storageKeys"],
  properties: { address, storageKeys: arrayOf(hash32) },
});

const authorizationList = arrayOf({
  type: "object",
  required: ["chainId", "nonce", "address", "yParity", "r", "s"],
  properties: { chainId: uint, nonce: uint, address, yParity: byte, r: uint256, s: uint256 },
});

const common = { nonce: uint, gas: uint, value: uint, input: bytes, gasPrice: uint, chainId: uint };
const typedSignature: Schema = {
  required: ["yParity", "r", "s"],
  properties: { yParity: byte, v: byte, r: uint, s: uint },
};
const typed = (type: number, required: string[], properties: Record<string, Schema>): Schema => ({
  allOf: [
    {
      type: "object",
      required: ["type", "nonce", "gas", "value", "input", "chainId", "accessList", ...required],
      properties: { ...common, type: str(new RegExp(`^0x${type}$`)), accessList, ...properties },
    },
    typedSignature,
  ],
});
const fees = { maxPriorityFeePerGas: uint, maxFeePerGas: uint };

const transactionSigned: Schema = {
  oneOf: [
    typed(4, ["to", "maxPriorityFeePerGas", "maxFeePerGas", "authorizationList"], {
      ...fees,
      to: address,
      authorizationList,
    }),
    typed(3, ["to", "maxPriorityFeePerGas", "maxFeePerGas", "maxFeePerBlobGas", "blobVersionedHashes"], {
      ...fees,
      to: address,
      maxFeePerBlobGas: uint,
      blobVersionedHashes: arrayOf(hash32),
    }),
    typed(2, ["maxPriorityFeePerGas", "maxFeePerGas", "gasPrice"], { ...fees, to: nullable(address) }),
    typed(1, ["gasPrice"], { to: nullable(address) }),
    {
      allOf: [
        {
          type: "object",
          required: ["type", "nonce", "gas", "value", "input", "gasPrice"],
          properties: { ...common, type: str(/^0x0$/), to: nullable(address) },
        },
        { required: ["v", "r", "s"], properties: { v: uint, r: uint, s: uint } },
      ],
    },
  ],
};

const pendingTransaction: Schema = {
  allOf: [
    {
      required: ["from", "hash"],
      properties: {
        blockHash: { type: "null" },
        blockNumber: { type: "null" },
        blockTimestamp: { type: "null" },
        transactionIndex: { type: "null" },
        from: address,
        hash: hash32,
      },
    },
    transactionSigned,
  ],
};

const byNonce: Schema = { type: "object", additionalProperties: pendingTransaction };
const byAddress: Schema = { type: "object", additionalProperties: byNonce };

// ---- traces ----

const structLog: Schema = {
  type: "object",
  required: ["pc", "op", "gas", "gasCost", "depth"],
  properties: {
    pc: nonNegative,
    op: { type: "string" },
    gas: nonNegative,
    gasCost: nonNegative,
    depth: { type: "integer", minimum: 1 },
    error: { type: "string" },
    refund: nonNegative,
    stack: arrayOf(uint256),
    memory: arrayOf(bytes32),
    returnData: bytes,
    storage: { type: "object", additionalProperties: bytes32 },
  },
};

const opcodeTrace: Schema = {
  type: "object",
  required: ["gas", "failed", "returnValue", "structLogs"],
  properties: { gas: nonNegative, failed: { type: "boolean" }, returnValue: bytes, structLogs: arrayOf(structLog) },
};

const namedTrace: Schema = { type: ["object", "array", "string", "number", "boolean", "null"] };

const blockTraces = arrayOf({
  anyOf: [
    { type: "object", required: ["txHash", "result"], properties: { txHash: hash32, result: opcodeTrace } },
    { type: "object", required: ["txHash", "result"], properties: { txHash: hash32, result: namedTrace } },
  ],
});

// ---- capabilities ----

const resource: Schema = {
  type: "object",
  additionalProperties: false,
  required: ["disabled"],
  properties: {
    disabled: { type: "boolean" },
    oldestBlock: uint,
    deleteStrategy: {
      oneOf: [{
        type: "object",
        additionalProperties: false,
        required: ["type", "retentionBlocks"],
        properties: { type: { type: "string", enum: ["window"] }, retentionBlocks: uint },
      }],
    },
  },
};

const capabilities: Schema = {
  type: "object",
  additionalProperties: false,
  required: ["head", "state", "tx", "logs", "receipts", "blocks", "stateproofs"],
  properties: {
    head: {
      type: "object",
      additionalProperties: false,
      required: ["number", "hash"],
      properties: { number: uint, hash: hash32 },
    },
    state: resource,
    tx: resource,
    logs: resource,
    receipts: resource,
    blocks: resource,
    stateproofs: resource,
  },
};

// ---- payloads ----

const withdrawal: Schema = {
  type: "object",
  required: ["index", "validatorIndex", "address", "amount"],
  properties: { index: uint64, validatorIndex: uint64, address, amount: uint64 },
};

const executionPayloadV3: Schema = {
  type: "object",
  required: [
    "parentHash",
    "feeRecipient",
    "stateRoot",
    "receiptsRoot",
    "logsBloom",
    "prevRandao",
    "blockNumber",
    "gasLimit",
    "gasUsed",
    "timestamp",
    "extraData",
    "baseFeePerGas",
    "blockHash",
    "transactions",
    "withdrawals",
    "blobGasUsed",
    "excessBlobGas",
  ],
  properties: {
    parentHash: hash32,
    feeRecipient: address,
    stateRoot: bytes32,
    receiptsRoot: bytes32,
    logsBloom: str(/^0x[0-9a-f]{512}$/),
    prevRandao: bytes32,
    blockNumber: uint64,
    gasLimit: uint64,
    gasUsed: uint64,
    timestamp: uint64,
    extraData: str(/^0x[0-9a-f]{0,64}$/),
    baseFeePerGas: uint256,
    blockHash: hash32,
    transactions: arrayOf(bytes),
    withdrawals: arrayOf(withdrawal),
    blobGasUsed: uint64,
    excessBlobGas: uint64,
  },
};

const buildBlockResult: Schema = {
  type: "object",
  required: ["executionPayload", "blockValue", "blobsBundle", "shouldOverrideBuilder"],
  properties: {
    executionPayload: executionPayloadV3,
    blockValue: uint256,
    blobsBundle: {
      type: "object",
      required: ["commitments", "proofs", "blobs"],
      properties: { commitments: arrayOf(bytes), proofs: arrayOf(bytes), blobs: arrayOf(bytes) },
    },
    shouldOverrideBuilder: { type: "boolean" },
    executionRequests: arrayOf(bytes),
  },
};

const RESULTS: Record<string, Schema> = {
  debug_traceBlockByHash: blockTraces,
  debug_traceBlockByNumber: blockTraces,
  debug_traceTransaction: { anyOf: [opcodeTrace, namedTrace] },
  eth_capabilities: capabilities,
  eth_createAccessList: {
    type: "object",
    additionalProperties: false,
    properties: { accessList, error: { type: "string" }, gasUsed: uint },
  },
  eth_estimateGas: uint,
  eth_feeHistory: {
    type: "object",
    required: ["oldestBlock", "baseFeePerGas", "gasUsedRatio"],
    additionalProperties: false,
    properties: {
      oldestBlock: uint,
      baseFeePerGas: arrayOf(uint),
      baseFeePerBlobGas: arrayOf(uint),
      gasUsedRatio: arrayOf(ratio),
      blobGasUsedRatio: arrayOf(ratio),
      reward: arrayOf(arrayOf(uint)),
    },
  },
  eth_sendRawTransaction: hash32,
  testing_buildBlockV1: buildBlockResult,
  txpool_content: {
    type: "object",
    required: ["pending", "queued"],
    properties: { pending: byAddress, queued: byAddress },
  },
  txpool_contentFrom: {
    type: "object",
    required: ["pending", "queued"],
    properties: { pending: byNonce, queued: byNonce },
  },
  txpool_status: { type: "object", required: ["pending", "queued"], properties: { pending: uint, queued: uint } },
};

function typeOf(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return typeof v;
}

/** The ways `value` fails `schema` (empty: it conforms). */
export function validate(schema: Schema, value: unknown, path = "$"): string[] {
  const out: string[] = [];
  const t = typeOf(value);
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    const ok = types.includes(t) || (t === "integer" && types.includes("number"));
    if (!ok) return [`${path}: ${t}, expected ${types.join(" or ")}`];
  }
  if (schema.pattern && typeof value === "string" && !schema.pattern.test(value)) {
    out.push(`${path}: ${JSON.stringify(value.slice(0, 80))} does not match ${schema.pattern}`);
  }
  if (schema.enum && !schema.enum.includes(value)) {
    out.push(`${path}: ${JSON.stringify(value)} is not one of ${schema.enum}`);
  }
  if (typeof value === "number") {
    if (schema.minimum !== undefined && value < schema.minimum) out.push(`${path}: ${value} < ${schema.minimum}`);
    if (schema.maximum !== undefined && value > schema.maximum) out.push(`${path}: ${value} > ${schema.maximum}`);
  }
  if (t === "object") {
    const o = value as Record<string, unknown>;
    for (const k of schema.required ?? []) if (!(k in o)) out.push(`${path}.${k}: missing`);
    for (const [k, v] of Object.entries(o)) {
      const p = schema.properties?.[k];
      if (p) out.push(...validate(p, v, `${path}.${k}`));
      else if (schema.additionalProperties === false) out.push(`${path}.${k}: not allowed`);
      else if (schema.additionalProperties) out.push(...validate(schema.additionalProperties, v, `${path}.${k}`));
    }
  }
  if (t === "array" && schema.items) {
    (value as unknown[]).forEach((v, i) => out.push(...validate(schema.items!, v, `${path}[${i}]`)));
  }
  for (const s of schema.allOf ?? []) out.push(...validate(s, value, path));
  if (schema.anyOf && !schema.anyOf.some((s) => validate(s, value, path).length === 0)) {
    out.push(
      `${path}: matches none of its alternatives (${validate(schema.anyOf[0], value, path).slice(0, 2).join("; ")})`,
    );
  }
  if (schema.oneOf) {
    const matching = schema.oneOf.filter((s) => validate(s, value, path).length === 0).length;
    if (matching !== 1) {
      const why = matching === 0 ? "none" : `${matching}`;
      out.push(`${path}: matches ${why} of its oneOf alternatives, not exactly one`);
    }
  }
  return out;
}

/** The ways a method's result fails its schema; a method without one is reported. */
export function validateResult(method: string, result: unknown): string[] {
  const schema = RESULTS[method];
  if (!schema) return [`no result schema for ${method}`];
  return validate(schema, result);
}
