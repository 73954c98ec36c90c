import { byText, isObj } from '@kubevirt-ci/kube';
import { diffArrays, structuredPatch } from 'diff';
import { parseAllDocuments } from 'yaml';

/** One field that differs, by its path in the object. */
export interface FieldChange {
  readonly path: string;
  readonly before: unknown;
  readonly after: unknown;
  /** For text of more than one line: the unified diff, hunk headers and ' ', '-', '+' lines. */
  readonly lines?: readonly string[];
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


/** Text worth a line diff: a string with more than one line on either side. */
const multiline = (v: unknown): v is string => typeof v === 'string' && v.includes('\n');

/** The hunks of a unified diff of two texts, three lines of context, without file headers. */
export function textDiff(before: string, after: string): string[] {
  const patch = structuredPatch('before', 'after', before, after, undefined, undefined, { context: 3 });
  // As diff(1) writes it: an empty side starts at the line before.
  const at = (start: number, lines: number) => `${lines === 0 ? start - 1 : start},${lines}`;
  return patch.hunks.flatMap((h) => [`@@ -${at(h.oldStart, h.oldLines)} +${at(h.newStart, h.newLines)} @@`, ...h.lines.filter((l) => !l.startsWith('\\'))]);
}

/**
 * What identifies a list item, so that lists are compared by key rather than position: an
 * object by its name (containers, env, volumes, ports, jobs), a flag by its name
 * (`--flag=value`), any other string by its value. Numbers and unnamed objects have none.
 */
function itemKey(v: unknown): string | undefined {
  if (isObj(v)) return typeof v['name'] === 'string' ? `name=${v['name']}` : undefined;
  if (typeof v === 'string') return /^(--?[A-Za-z0-9][\w.-]*)(=|$)/.exec(v)?.[1] ?? v;
  // A number as a key would read like a position.
  return undefined;
}

/** The list's items by key, when every item has one and no key repeats. */
function keyed(list: readonly unknown[]): Map<string, unknown> | undefined {
  const out = new Map<string, unknown>();
  for (const item of list) {
    const k = itemKey(item);
    if (k === undefined || out.has(k)) return undefined;
    out.set(k, item);
  }
  return out;
}

function listChanges(before: readonly unknown[], after: readonly unknown[], path: string): FieldChange[] {
  const b = keyed(before);
  const a = keyed(after);
  if (b && a) {
    const keys = [...a.keys(), ...[...b.keys()].filter((k) => !a.has(k))];
    const changes = keys.flatMap((k) => fieldChanges(b.get(k), a.get(k), `${path}[${k}]`));
    const common = (m: Map<string, unknown>, other: Map<string, unknown>) => [...m.keys()].filter((k) => other.has(k));
    const [was, now] = [common(b, a), common(a, b)];
    if (was.join('\u0000') !== now.join('\u0000')) changes.push({ path: `${path} (order)`, before: was, after: now });
    return changes;
  }
  // No keys: align the items that are equal, then compare what stands between them.
  const changes: FieldChange[] = [];
  let i = 0;
  let j = 0;
  const parts = diffArrays([...before], [...after], { comparator: (x, y) => JSON.stringify(x) === JSON.stringify(y) });
  for (let n = 0; n < parts.length; n++) {
    const part = parts[n]!;
    if (!part.added && !part.removed) {
      i += part.count;
      j += part.count;
    } else if (part.removed && parts[n + 1]?.added) {
      const added = parts[++n]!;
      const pairs = Math.max(part.count, added.count);
      for (let k = 0; k < pairs; k++) changes.push(...fieldChanges(part.value[k], added.value[k], `${path}[${k < added.count ? j + k : i + k}]`));
      i += part.count;
      j += added.count;
    } else if (part.removed) {
      part.value.forEach((v, k) => changes.push({ path: `${path}[${i + k}]`, before: v, after: undefined }));
      i += part.count;
    } else {
      part.value.forEach((v, k) => changes.push({ path: `${path}[${j + k}]`, before: undefined, after: v }));
      j += part.count;
    }
  }
  return changes;
}

/**
 * Differences between two values, by field path: leaves, lists by key where their items
 * have one (`containers[name=deck]`, `args[--config-path]`), and text of more than one line
 * (a ConfigMap's Prow config or job config) as the lines of a unified diff.
 */
export function fieldChanges(before: unknown, after: unknown, path = ''): FieldChange[] {
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  if (isObj(before) && isObj(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort(byText);
    return keys.flatMap((k) => fieldChanges(before[k], after[k], path ? `${path}.${k}` : k));
  }
  if (Array.isArray(before) && Array.isArray(after)) return listChanges(before, after, path);
  if ((multiline(before) || multiline(after)) && (typeof before === 'string' || before === undefined) && (typeof after === 'string' || after === undefined)) {
    return [{ path, before, after, lines: textDiff(before ?? '', after ?? '') }];
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

/** A value in full: the point of the diff is to show what changed, so nothing is cut. */
function show(v: unknown): string {
  return v === undefined ? '(none)' : JSON.stringify(v);
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
      for (const f of o.fields) {
        if (f.lines) lines.push(`      ${f.path}:`, ...f.lines.map((l) => `        ${l}`));
        else lines.push(`      ${f.path}: ${show(f.before)} -> ${show(f.after)}`);
      }
    }
  }
  return lines.join('\n') + '\n';
}

const md = (s: string) => `\`${s.replaceAll('`', "'")}\``;

/** An app's section longer than this many lines is collapsed on the pull request. */
const collapseAfterLines = 25;

export function formatMarkdown(changes: readonly AppChanges[], title: string): string {
  if (changes.length === 0) return `### ${title}\n\nNo changes to the rendered manifests.\n`;
  const lines = [`### ${title}`, '', `${counts(changes)} objects.`];
  for (const c of changes) {
    const body: string[] = [];
    for (const o of c.objects) {
      body.push(`- ${o.change} ${md(o.object)}`);
      for (const f of o.fields) {
        // A fence longer than any run of backticks in the text keeps the text as it is.
        const fence = '`'.repeat(Math.max(3, ...[...(f.lines ?? []).join('\n').matchAll(/`+/g)].map((m) => m[0].length + 1)));
        if (f.lines) body.push(`  - ${md(f.path)}:`, '', `    ${fence}diff`, ...f.lines.map((l) => `    ${l}`), `    ${fence}`, '');
        else body.push(`  - ${md(f.path)}: ${md(show(f.before))} → ${md(show(f.after))}`);
      }
    }
    while (body.at(-1) === '') body.pop();
    if (body.length > collapseAfterLines) {
      lines.push('', `<details><summary><code>${c.cluster}</code> / <code>${c.app}</code>: ${counts([c])}</summary>`, '', ...body, '', '</details>');
    } else lines.push('', `#### ${md(c.cluster)} / ${md(c.app)}`, '', ...body);
  }
  return lines.join('\n') + '\n';
}
