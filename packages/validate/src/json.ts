/** Reading plain JSON objects of unknown shape without a cast at every step. */
export type Obj = Record<string, unknown>;

export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The value at a path of keys and indexes, or undefined when any step is missing. */
export const get = (v: unknown, ...path: (string | number)[]): unknown =>
  path.reduce<unknown>((cur, k) => (isObj(cur) || Array.isArray(cur) ? (cur as Record<string | number, unknown>)[k] : undefined), v);

/** The objects of an array value; anything else is an empty list. */
export const objectsIn = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isObj) : []);

export const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
