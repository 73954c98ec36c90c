function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Merges override over base: objects key by key, anything else (arrays too) replaced. An
 * object whose `type` differs from base's is another variant of a discriminated union (a claim
 * instead of a local volume): it replaces base whole, since the other variant's fields are
 * not its own.
 */
export function mergeValues(base: unknown, override: unknown): unknown {
  if (override === undefined) return base;
  if (!isPlainObject(base) || !isPlainObject(override)) return override;
  if ('type' in override && override['type'] !== base['type']) return override;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(override)) out[k] = mergeValues(base[k], v);
  return out;
}

/** True when the object has a value at path (used to tell whose file a bad value came from). */
export function hasPath(value: unknown, path: readonly PropertyKey[]): boolean {
  let cur: unknown = value;
  for (const key of path) {
    if (!isPlainObject(cur) && !Array.isArray(cur)) return false;
    if (!(key in (cur as object))) return false;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return true;
}

export function formatPath(path: readonly PropertyKey[]): string {
  return path.map((k, i) => (typeof k === 'number' ? `[${k}]` : i === 0 ? String(k) : `.${String(k)}`)).join('');
}
