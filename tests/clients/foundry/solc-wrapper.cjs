#!/usr/bin/env node
// A solc stand-in backed by the npm `solc` package (solc-js): forge runs it with
// --version (it reads the "Version:" line), then with standard JSON on stdin.
const fs = require("fs");
const path = require("path");
const solc = require("solc");

if (process.argv.includes("--version")) {
  process.stdout.write(`solc, the solidity compiler commandline interface\nVersion: ${solc.version()}\n`);
  process.exit(0);
}
const input = fs.readFileSync(0, "utf8");
const findImports = (p) => {
  try {
    return { contents: fs.readFileSync(path.resolve(p), "utf8") };
  } catch {
    return { error: `File not found: ${p}` };
  }
};
process.stdout.write(solc.compile(input, { import: findImports }));
