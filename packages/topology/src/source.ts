import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: this file is packages/topology/src/source.ts. */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

const SOURCE = Symbol.for('kubevirt-ci.definedAt');
const thisPackage = resolve(repoRoot, 'packages/topology/src');

/**
 * The repo-relative file that called a define*() helper, so that errors about a value can
 * name the file a person has to edit. Frames inside this package are skipped.
 */
function callerFile(): string {
  const stack = new Error().stack ?? '';
  for (const line of stack.split('\n').slice(1)) {
    const m = /\(?((?:file:\/\/)?\/[^():]+):\d+:\d+\)?\s*$/.exec(line);
    if (!m?.[1]) continue;
    const file = m[1].startsWith('file://') ? fileURLToPath(m[1]) : m[1];
    if (file.startsWith(thisPackage) || file.includes('/node_modules/')) continue;
    return relative(repoRoot, file);
  }
  return '<unknown file>';
}

/**
 * Records where a definition was written; returns the same object. The mark is an
 * enumerable symbol so that `{ ...role, clusters }` variants keep it; JSON never sees it.
 */
export function recordSource<T extends object>(value: T, file: string = callerFile()): T {
  Object.defineProperty(value, SOURCE, { value: file, enumerable: true, configurable: true });
  return value;
}

export function sourceOf(value: object, fallback = '<unknown file>'): string {
  return (value as Record<symbol, string | undefined>)[SOURCE] ?? fallback;
}

/** The repo-relative path of a module, from its import.meta.url. */
export function here(moduleUrl: string): string {
  return relative(repoRoot, fileURLToPath(moduleUrl));
}
