/** A small argument parser: --flag value, --flag=value, --bool, positionals. */
export class CliError extends Error {
  override name = "CliError";
}

export interface ParsedArgs {
  positional: string[];
  [flag: string]: string | boolean | string[] | undefined;
}

export function parseArgs(
  argv: string[],
  spec: { string?: string[]; boolean?: string[]; multiple?: string[] },
): ParsedArgs {
  const strings = new Set(spec.string ?? []);
  const booleans = new Set(spec.boolean ?? []);
  const multiple = new Set(spec.multiple ?? []);
  const out: ParsedArgs = { positional: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith("--")) {
      out.positional.push(a);
      continue;
    }
    let name = a.slice(2);
    let value: string | undefined;
    const eq = name.indexOf("=");
    if (eq >= 0) {
      value = name.slice(eq + 1);
      name = name.slice(0, eq);
    }
    if (booleans.has(name)) {
      out[name] = value === undefined ? true : value !== "false";
    } else if (strings.has(name) || multiple.has(name)) {
      if (value === undefined) {
        if (i + 1 >= argv.length) throw new CliError(`--${name} needs a value`);
        value = argv[++i];
      }
      if (multiple.has(name)) out[name] = [...((out[name] as string[]) ?? []), value];
      else out[name] = value;
    } else {
      throw new CliError(`unknown option --${name}`);
    }
  }
  return out;
}
