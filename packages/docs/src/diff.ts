import { byText, isObj } from '@kubevirt-ci/kube';
import { parseAllDocuments } from 'yaml';

/** One field that differs, by its path in the object. */
export interface FieldChange {
  readonly path: string;
  readonly before: unknown;
  readonly after: unknown;
}

export interface ObjectChange {
  readonly change: 'added' | 'removed' | 'changed';
  /** 'Kind namespace/name' or 'Kind name'. */
  readonly object: string;
  readonly fields: readonly FieldChange[];
}

/** The changes of one Application's directory (or a cluster's top level) of one cluster. */
export interface AppChanges {
  readonly cluster: string;
  readonly app: string;
  readonly objects: readonly ObjectChange[];
}

interface Obj {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string };
}


/** The cluster and app a rendered file belongs to: clusters/<role>/manifests/<cluster>/[<app>/]<file>. */
export function placeOf(path: string): { cluster: string; app: string } | undefined {
  const m = /^clusters\/[^/]+\/manifests\/([^/]+)\/(?:([^/]+)\/)?[^/]+$/.exec(path);
  if (!m) return undefined;
  return { cluster: m[1]!, app: m[2] ?? '(Argo CD: project and Applications)' };
}

function objectsOf(files: ReadonlyMap<string, string>): Map<string, Map<string, { label: string; value: Obj }>> {
  const out = new Map<string, Map<string, { label: string; value: Obj }>>();
  for (const [path, content] of files) {
    const place = placeOf(path);
    if (!place) continue;
    const key = `${place.cluster}\u0000${place.app}`;
    const objs = out.get(key) ?? new Map();
    for (const doc of parseAllDocuments(content) as { toJS(): unknown }[]) {
      const value = doc.toJS() as Obj | null;
      if (!value || typeof value !== 'object') continue;
      const ns = value.metadata?.namespace;
      const name = value.metadata?.name ?? '?';
      const label = `${value.kind ?? '?'} ${ns ? `${ns}/` : ''}${name}`;
      objs.set(`${value.apiVersion}\u0000${label}`, { label, value });
    }
    out.set(key, objs);
  }
  return out;
}


/** Leaf-level differences between two values, by field path. */
export function fieldChanges(before: unknown, after: unknown, path = ''): FieldChange[] {
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  if (isObj(before) && isObj(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort(byText);
    return keys.flatMap((k) => fieldChanges(before[k], after[k], path ? `${path}.${k}` : k));
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const n = Math.max(before.length, after.length);
    return Array.from({ length: n }, (_, i) => fieldChanges(before[i], after[i], `${path}[${i}]`)).flat();
  }
  return [{ path, before, after }];
}

/** Per cluster and app, which objects the head adds, removes and changes against the base. */
export function manifestChanges(base: ReadonlyMap<string, string>, head: ReadonlyMap<string, string>): AppChanges[] {
  const b = objectsOf(base);
  const h = objectsOf(head);
  const out: AppChanges[] = [];
  for (const key of [...new Set([...b.keys(), ...h.keys()])].sort(byText)) {
    const [cluster, app] = key.split('\u0000') as [string, string];
    const before = b.get(key) ?? new Map();
    const after = h.get(key) ?? new Map();
    const objects: ObjectChange[] = [];
    for (const id of [...new Set([...before.keys(), ...after.keys()])].sort(byText)) {
      const x = before.get(id);
      const y = after.get(id);
      if (!x) objects.push({ change: 'added', object: y!.label, fields: [] });
      else if (!y) objects.push({ change: 'removed', object: x.label, fields: [] });
      else {
        const fields = fieldChanges(x.value, y.value);
        if (fields.length > 0) objects.push({ change: 'changed', object: x.label, fields });
      }
    }
    if (objects.length > 0) out.push({ cluster, app, objects });
  }
  return out;
}

function show(v: unknown): string {
  if (v === undefined) return '(none)';
  const s = JSON.stringify(v);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

function counts(changes: readonly AppChanges[]): string {
  const all = changes.flatMap((c) => c.objects);
  const n = (k: ObjectChange['change']) => all.filter((o) => o.change === k).length;
  return `${n('added')} added, ${n('removed')} removed, ${n('changed')} changed`;
}

const sign = { added: '+', removed: '-', changed: '~' } as const;

export function formatText(changes: readonly AppChanges[], title: string): string {
  if (changes.length === 0) return `${title}: no changes to the rendered manifests\n`;
  const lines = [`${title}: ${counts(changes)}`];
  for (const c of changes) {
    lines.push('', `${c.cluster} / ${c.app}`);
    for (const o of c.objects) {
      lines.push(`  ${sign[o.change]} ${o.object}`);
      for (const f of o.fields) lines.push(`      ${f.path}: ${show(f.before)} -> ${show(f.after)}`);
    }
  }
  return lines.join('\n') + '\n';
}

const md = (s: string) => `\`${s.replaceAll('`', "'").replaceAll('|', '\\|')}\``;

export function formatMarkdown(changes: readonly AppChanges[], title: string): string {
  if (changes.length === 0) return `### ${title}\n\nNo changes to the rendered manifests.\n`;
  const lines = [`### ${title}`, '', `${counts(changes)} objects.`];
  for (const c of changes) {
    lines.push('', `#### ${md(c.cluster)} / ${md(c.app)}`, '', '| | Object | Changed fields |', '|---|---|---|');
    for (const o of c.objects) {
      const fields = o.fields.map((f) => `${md(f.path)}: ${md(show(f.before))} → ${md(show(f.after))}`).join('<br>');
      lines.push(`| ${o.change} | ${md(o.object)} | ${fields} |`);
    }
  }
  return lines.join('\n') + '\n';
}
