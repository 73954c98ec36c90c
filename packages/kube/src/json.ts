/** Reading plain JSON objects of unknown shape without a cast at every step. */
export type Obj = Record<string, unknown>;

export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The value at a path of keys and indexes, or undefined when any step is missing. */
export const get = (v: unknown, ...path: (string | number)[]): unknown =>
  path.reduce<unknown>((cur, k) => (isObj(cur) || Array.isArray(cur) ? (cur as Record<string | number, unknown>)[k] : undefined), v);

/** The objects of an array value; anything else is an empty list. */
export const objectsIn = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isObj) : []);

export const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** Sorts text the same way on every machine (no locale). */
export const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** 'registry/repo:tag' or 'registry/repo@sha256:...' -> [name, version]; '(no tag)' when there is none. */
export function splitImage(ref: string): [string, string] {
  const at = ref.indexOf('@');
  if (at >= 0) return [ref.slice(0, at), ref.slice(at + 1)];
  const colon = ref.lastIndexOf(':');
  return colon > ref.lastIndexOf('/') ? [ref.slice(0, colon), ref.slice(colon + 1)] : [ref, '(no tag)'];
}
