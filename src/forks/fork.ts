/** Hardforks in activation order. A fork id compares with < and >=. */
export const Fork = {
  Frontier: 0,
  Homestead: 1,
  TangerineWhistle: 2,
  SpuriousDragon: 3,
  Byzantium: 4,
  Constantinople: 5,
  Petersburg: 6,
  Istanbul: 7,
  Berlin: 8,
  London: 9,
  Paris: 10,
  Shanghai: 11,
  Cancun: 12,
  Prague: 13,
  Osaka: 14,
} as const;

export type ForkId = (typeof Fork)[keyof typeof Fork];
export type ForkName = keyof typeof Fork;

export const FORK_NAMES: ForkName[] = Object.keys(Fork) as ForkName[];

/** Other names the same forks go by (state-test fixtures, client configs). */
const ALIASES: Record<string, ForkName> = {
  eip150: "TangerineWhistle",
  tangerine: "TangerineWhistle",
  eip158: "SpuriousDragon",
  spurious: "SpuriousDragon",
  constantinoplefix: "Petersburg",
  merge: "Paris",
  parismerge: "Paris",
  mergeandshanghai: "Shanghai",
  dencun: "Cancun",
  pectra: "Prague",
  fusaka: "Osaka",
};

export class UnknownForkError extends Error {
  override name = "UnknownForkError";
  constructor(public readonly given: string) {
    super(`unknown fork "${given}"; supported forks: ${FORK_NAMES.join(", ")}`);
  }
}

export function parseFork(name: string): ForkId {
  const key = name.trim().toLowerCase().replace(/[\s_-]/g, "");
  for (const n of FORK_NAMES) if (n.toLowerCase() === key) return Fork[n];
  const alias = ALIASES[key];
  if (alias) return Fork[alias];
  throw new UnknownForkError(name);
}

export function forkName(id: ForkId): ForkName {
  return FORK_NAMES[id];
}
