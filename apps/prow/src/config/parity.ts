import { createHash } from 'node:crypto';
import { parse } from 'yaml';
import type { PolicyFile } from './policy.ts';
import { yamlOptionsFor } from '../yaml.ts';

/**
 * Parity with production's Prow config: every setting of project-infra's config.yaml,
 * plugins.yaml and labels.yaml either renders here with the same value or is a row of the
 * table in apps/prow/README.md saying why not. Production's settings are kept as digests of
 * their values (policy/production.json, made by scripts/production-digest.ts), so the values
 * live once, in the policy files.
 */

/** Each file parsed as its Prow program reads it (yaml.ts), on both sides of the comparison. */
export function parseProwFile(file: PolicyFile, text: string): unknown {
  return parse(text, yamlOptionsFor(file));
}

const segment = (k: string) => (/[.[\]]/.test(k) ? `[${k}]` : k);

/** Each setting by its path: maps are followed key by key, a list or a scalar is one setting. */
export function settingsOf(tree: unknown, path = ''): Map<string, unknown> {
  const out = new Map<string, unknown>();
  const walk = (v: unknown, at: string) => {
    if (typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length > 0) {
      for (const [k, child] of Object.entries(v)) walk(child, at && !segment(k).startsWith('[') ? `${at}.${segment(k)}` : `${at}${segment(k)}`);
    } else out.set(at, v);
  };
  walk(tree, path);
  return out;
}

const canonical = (v: unknown): unknown =>
  Array.isArray(v) ? v.map(canonical) : typeof v === 'object' && v !== null ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, x]) => [k, canonical(x)])) : v;

export function digestOf(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(canonical(value))).digest('hex').slice(0, 16);
}

export function digestsOf(tree: unknown): Record<string, string> {
  return Object.fromEntries([...settingsOf(tree)].map(([p, v]) => [p, digestOf(v)]));
}

/** policy/production.json */
export interface ProductionDigest {
  readonly repo: string;
  readonly commit: string;
  readonly files: Readonly<Record<PolicyFile, string>>;
  readonly settings: Readonly<Record<PolicyFile, Readonly<Record<string, string>>>>;
}

export type Difference = 'changed' | 'not carried' | 'added';

/** A row of the parity table: the settings it covers (a path, `*` for one key, `**` for the rest) and why. */
export interface ParityRow {
  readonly file: PolicyFile;
  readonly setting: string;
  readonly here: Difference;
  readonly why: string;
}

export interface Gap {
  readonly file: PolicyFile;
  readonly path: string;
  readonly here: Difference;
}

function splitPath(p: string): string[] {
  return [...p.matchAll(/\[([^\]]*)\]|([^.[\]]+)/g)].map((m) => m[1] ?? m[2]!);
}

export function covers(pattern: string, path: string): boolean {
  const want = splitPath(pattern);
  const have = splitPath(path);
  for (let i = 0; i < want.length; i++) {
    if (want[i] === '**') return true;
    if (i >= have.length || (want[i] !== '*' && want[i] !== have[i])) return false;
  }
  return want.length === have.length;
}

/**
 * The settings that differ from production and no row explains, and the rows that explain
 * nothing (a setting carried over since, or a typo).
 */
export function parityGaps(ours: Readonly<Record<PolicyFile, Record<string, string>>>, production: ProductionDigest, rows: readonly ParityRow[]): { unexplained: Gap[]; stale: ParityRow[] } {
  const gaps: Gap[] = [];
  for (const file of Object.keys(production.settings) as PolicyFile[]) {
    const prod = production.settings[file];
    const here = ours[file] ?? {};
    for (const [p, d] of Object.entries(prod)) {
      if (!(p in here)) gaps.push({ file, path: p, here: 'not carried' });
      else if (here[p] !== d) gaps.push({ file, path: p, here: 'changed' });
    }
    for (const p of Object.keys(here)) if (!(p in prod)) gaps.push({ file, path: p, here: 'added' });
  }
  const explains = (r: ParityRow, g: Gap) => r.file === g.file && r.here === g.here && covers(r.setting, g.path);
  return {
    unexplained: gaps.filter((g) => !rows.some((r) => explains(r, g))),
    stale: rows.filter((r) => !gaps.some((g) => explains(r, g))),
  };
}

/** The table under "## Parity with production" in a README, row by row. */
export function parityTable(readme: string): ParityRow[] {
  const at = readme.indexOf('## Parity with production');
  if (at < 0) return [];
  const rows: ParityRow[] = [];
  for (const line of readme.slice(at).split('\n').slice(1)) {
    if (line.startsWith('## ')) break;
    const cells = line.split(/(?<!\\)\|/).slice(1, -1).map((c) => c.trim());
    if (cells.length !== 4 || cells[0] === 'file' || /^-+$/.test(cells[0]!)) continue;
    const [file, setting, here, why] = cells.map((c) => c.replace(/^`|`$/g, '').replace(/\\\|/g, '|')) as [PolicyFile, string, Difference, string];
    rows.push({ file, setting, here, why });
  }
  return rows;
}
