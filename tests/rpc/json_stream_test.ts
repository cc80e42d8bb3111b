import assert from "node:assert/strict";
import { JsonStreamSplitter } from "../../src/rpc/json_stream.ts";

Deno.test("IPC stream: JSON values split across chunks, strings with brackets and escapes, garbage between", () => {
  const s = new JsonStreamSplitter();
  const a = '{"id":1,"params":["}{",  "\\"]"]}';
  const b = '[{"id":2},{"id":3}]';
  const text = `${a}\n  ${b}garbage {"id":4}`;
  const out: string[] = [];
  for (let i = 0; i < text.length; i += 3) out.push(...s.push(text.slice(i, i + 3)));
  assert.deepEqual(out, [a, b, "garbage", `{"id":4}`]);
  assert.deepEqual(s.push("\n"), []);
  assert.deepEqual(new JsonStreamSplitter().push('{"id":4}'), ['{"id":4}']);
  assert.throws(() => new JsonStreamSplitter(10).push('{"id": "a value that never ends'), /longer than 10 bytes/);
});
