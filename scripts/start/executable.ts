/** The executable `deno task start` runs (scripts/start/executable.sh), for the benchmarks and tests that start it. */
export const START_EXECUTABLE = decodeURIComponent(new URL("../../.cache/start/evmwasm", import.meta.url).pathname);

/** Builds it first if a source is newer than it (the start task's own check), by asking the task for its help. */
export async function buildStartExecutable(): Promise<void> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["task", "-q", "start", "--help"],
    cwd: decodeURIComponent(new URL("../../", import.meta.url).pathname),
    stdout: "null",
  }).output();
  if (!out.success) throw new Error("deno task start did not build its executable");
}
