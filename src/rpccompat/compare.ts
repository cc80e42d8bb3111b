/**
 * How hive's rpc-compat compares a response with the expected one: the JSON
 * must match exactly (objects as maps, numbers by value), except the
 * `message` of every `error` object present on both sides.
 */

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Removes error messages where both sides have an error object at the same place. */
export function redactErrorMessages(got: Json, want: Json): void {
  if (Array.isArray(want)) {
    if (!Array.isArray(got)) return;
    want.forEach((w, i) => i < got.length && redactErrorMessages(got[i], w));
    return;
  }
  if (want === null || typeof want !== "object" || got === null || typeof got !== "object" || Array.isArray(got)) {
    return;
  }
  for (const key of Object.keys(want)) {
    if (!(key in got)) continue;
    const w = want[key], g = got[key];
    if (key === "error") {
      if (isObject(w) && isObject(g) && "message" in w && "message" in g) {
        delete w.message;
        delete g.message;
      }
      continue;
    }
    redactErrorMessages(g, w);
  }
}

function isObject(v: Json): v is { [k: string]: Json } {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** The differences between `got` and `want` as paths (empty: equal). */
export function jsonDiff(got: Json, want: Json, path = "$", out: string[] = []): string[] {
  if (out.length >= 8) return out;
  if (Array.isArray(want) || Array.isArray(got)) {
    if (!Array.isArray(want) || !Array.isArray(got)) {
      out.push(`${path}: ${short(got)} != ${short(want)}`);
      return out;
    }
    if (got.length !== want.length) out.push(`${path}: ${got.length} items, expected ${want.length}`);
    for (let i = 0; i < Math.min(got.length, want.length); i++) jsonDiff(got[i], want[i], `${path}[${i}]`, out);
    return out;
  }
  if (isObject(want) || isObject(got)) {
    if (!isObject(want) || !isObject(got)) {
      out.push(`${path}: ${short(got)} != ${short(want)}`);
      return out;
    }
    for (const k of Object.keys(want)) {
      if (!(k in got)) out.push(`${path}.${k}: missing (expected ${short(want[k])})`);
      else jsonDiff(got[k], want[k], `${path}.${k}`, out);
    }
    for (const k of Object.keys(got)) if (!(k in want)) out.push(`${path}.${k}: unexpected (${short(got[k])})`);
    return out;
  }
  if (got !== want) out.push(`${path}: ${short(got)} != ${short(want)}`);
  return out;
}

function short(v: Json): string {
  const s = JSON.stringify(v);
  return s === undefined ? "undefined" : s.length > 90 ? s.slice(0, 90) + "…" : s;
}

export type { Json };
