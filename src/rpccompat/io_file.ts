/**
 * The execution-apis test format: a `.io` file of `//` comments (a first
 * comment block that may say `speconly:`), `>>` requests and `<<` expected
 * responses, one JSON value a line.
 */
export interface IoMessage {
  /** true: a request to send (`>>`); false: the expected response (`<<`). */
  send: boolean;
  data: string;
}

export interface IoTest {
  name: string;
  comment: string;
  /** The response is checked only against the method's result schema. */
  speconly: boolean;
  messages: IoMessage[];
}

export class IoFileError extends Error {
  override name = "IoFileError";
}

export function parseIoFile(name: string, text: string): IoTest {
  const test: IoTest = { name, comment: "", speconly: false, messages: [] };
  let inHeader = true;
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line.length === 0) continue;
    if (line.startsWith("//")) {
      if (!inHeader) continue;
      const comment = line.slice(2).replace(/^ /, "");
      test.comment += comment + "\n";
      if (comment.startsWith("speconly:")) test.speconly = true;
    } else if (line.startsWith(">>") || line.startsWith("<<")) {
      inHeader = false;
      const data = line.slice(2).trim();
      try {
        JSON.parse(data);
      } catch {
        throw new IoFileError(`${name}: invalid JSON in line ${JSON.stringify(line.slice(0, 80))}`);
      }
      test.messages.push({ send: line.startsWith(">>"), data });
    } else {
      throw new IoFileError(`${name}: invalid test line ${JSON.stringify(line.slice(0, 80))}`);
    }
  }
  return test;
}
