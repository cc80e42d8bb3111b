/**
 * The entry point of the start bundle (scripts/start/bundle.ts), which is kept in .cache/start/<hash>/, three
 * folders below the project's: not where the files the program opens by path are (src/source_files.ts).
 */
import { setProjectRoot } from "../../src/source_files.ts";

setProjectRoot(new URL("../../../", import.meta.url));
await import("../../cli.ts");
