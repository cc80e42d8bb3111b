// Preloaded into a node's process by tests/runtime_test.ts: reports on standard error each first use of a global
// whose first use loads a part of Deno's runtime (Node's timers, Node's process), and when the first HTTP answer
// has been made, so that the test can tell what the node used before its first answer.
for (const name of ["setTimeout", "setInterval", "setImmediate", "process"]) {
  const own = Object.getOwnPropertyDescriptor(globalThis, name);
  if (!own) continue;
  Object.defineProperty(globalThis, name, {
    configurable: true,
    get() {
      Object.defineProperty(globalThis, name, own);
      console.error(`TRAP first use of ${name}\n${new Error().stack}`);
      return globalThis[name];
    },
    set(v) {
      Object.defineProperty(globalThis, name, { configurable: true, writable: true, value: v });
    },
  });
}
const serve = Deno.serve;
let answered = false;
Deno.serve = function (options, handler) {
  // Two parameters: Deno.serve passes no request to a handler that declares none.
  return serve.call(Deno, options, async (request, info) => {
    const response = await handler(request, info);
    if (!answered) {
      answered = true;
      console.error("TRAP first answer");
    }
    return response;
  });
};
