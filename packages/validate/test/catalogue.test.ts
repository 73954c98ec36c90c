import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { objectRules, policyRules } from '../src/index.ts';

const repo = join(import.meta.dirname, '../../..');
/** The stages that report findings, and the files they are written in. */
const sources = [
  ...['parse', 'schema', 'kubeconform', 'cross', 'apis', 'argocd', 'promtool', 'objects', 'policy'].map((f) => `packages/validate/src/${f}.ts`),
  'packages/upstream/src/flags.ts',
  'packages/testcluster/src/admission.ts',
  'packages/testcluster/src/operated.ts',
];

describe("the README's rule catalogue", () => {
  it('lists exactly the rules the code reports, with the severity each catalogue gives', () => {
    const readme = readFileSync(join(repo, 'README.md'), 'utf8');
    const table = [...readme.matchAll(/^\| `([a-z]+\/[a-z-]+)` \| ([a-z ()]+?) \|/gm)].map((m) => [m[1]!, m[2]!] as const);
    const literal = new Set(sources.flatMap((f) => [...readFileSync(join(repo, f), 'utf8').matchAll(/'((?:parse|schema|kubeconform|cross|argocd|promtool|flags|apiserver|operated)\/[a-z-]+)'/g)].map((m) => m[1]!)));
    const inCode = [...literal, ...Object.keys(objectRules).map((r) => `objects/${r}`), ...Object.keys(policyRules).map((r) => `policy/${r}`)].sort();
    expect(table.map(([id]) => id).sort()).toEqual(inCode);
    expect(inCode.length).toBe(76);
    const severity = new Map(table);
    for (const [r, rule] of Object.entries(objectRules)) expect([r, severity.get(`objects/${r}`)]).toEqual([r, rule.severity]);
    for (const [r, rule] of Object.entries(policyRules)) expect([r, severity.get(`policy/${r}`)]).toEqual([r, rule.severity]);
  });
});
