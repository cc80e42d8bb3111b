// cli.ts's module graph as `deno info` gives it: what Deno reads before the program runs, for tests that keep
// things off a start.
const ROOT = new URL("../", import.meta.url).pathname;

interface Dependency {
  code?: { specifier: string };
  isDynamic?: boolean;
}

export interface ModuleGraph {
  roots: string[];
  dependencies(specifier: string): Dependency[];
}

export async function cliModuleGraph(): Promise<ModuleGraph> {
  const out = await new Deno.Command(Deno.execPath(), { args: ["info", "--json", "cli.ts"], cwd: ROOT }).output();
  if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
  const graph: { roots: string[]; modules: { specifier: string; dependencies?: Dependency[] }[] } = JSON.parse(
    new TextDecoder().decode(out.stdout),
  );
  const bySpecifier = new Map(graph.modules.map((m) => [m.specifier, m.dependencies ?? []]));
  return { roots: graph.roots, dependencies: (s) => bySpecifier.get(s) ?? [] };
}

/** A module of this project by its path from the root, as the graph names it. */
export const projectModule = (path: string) => new URL(path, new URL(`file://${ROOT}`)).href;

/**
 * The modules reached from `from` along code imports (literal dynamic ones and require()s too, unless `staticOnly`),
 * not entering those `stop` picks out; those are listed as "importer: imported".
 */
export function reach(
  graph: ModuleGraph,
  from: string[],
  { staticOnly = false, stop = () => false }: { staticOnly?: boolean; stop?: (specifier: string) => boolean },
): { seen: Set<string>; stopped: string[] } {
  const seen = new Set<string>();
  const stopped: string[] = [];
  const walk = (s: string) => {
    if (seen.has(s)) return;
    seen.add(s);
    for (const d of graph.dependencies(s)) {
      const to = d.code?.specifier;
      if (!to || (staticOnly && d.isDynamic)) continue;
      if (stop(to)) stopped.push(`${s.slice(s.lastIndexOf("/") + 1)}: ${to}`);
      else walk(to);
    }
  };
  from.forEach(walk);
  return { seen, stopped };
}
