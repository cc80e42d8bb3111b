/** EIP-4844 blob gas pricing. */
export const GAS_PER_BLOB = 1n << 17n;
export const MIN_BLOB_BASE_FEE = 1n;
export const VERSIONED_HASH_VERSION_KZG = 1;

/** factor * e^(numerator / denominator), by the Taylor series the EIP specifies. */
export function fakeExponential(factor: bigint, numerator: bigint, denominator: bigint): bigint {
  let i = 1n;
  let output = 0n;
  let acc = factor * denominator;
  while (acc > 0n) {
    output += acc;
    acc = (acc * numerator) / (denominator * i);
    i++;
  }
  return output / denominator;
}

export function blobBaseFee(excessBlobGas: bigint, updateFraction: bigint): bigint {
  if (updateFraction === 0n) return 0n;
  return fakeExponential(MIN_BLOB_BASE_FEE, excessBlobGas, updateFraction);
}
