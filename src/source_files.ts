/**
 * Files the program opens by path as it runs (threads' entry points, the compiler's own sources), found beside
 * the modules that name them; in a bundle of the program (scripts/start/) those modules are elsewhere, and
 * the bundle's entry point says where the project's folder is.
 */
let projectRoot: URL | undefined;

/** Where the project's folder is (a bundle's entry point calls this first). */
export function setProjectRoot(root: URL): void {
  projectRoot = root;
}

/** `path` in the project's folder when running from a bundle, else `relative` to `base` (the caller's module). */
export function sourceFile(path: string, relative: string, base: string): URL {
  return projectRoot ? new URL(path, projectRoot) : new URL(relative, base);
}
