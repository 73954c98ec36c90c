import { describe, expect, it } from 'vitest';
import { fieldChanges, formatMarkdown, formatText, manifestChanges, placeOf } from '../src/index.ts';

const root = 'clusters/control-plane/manifests/ibm-prow-jobs';
const issuer = (server: string) => `apiVersion: cert-manager.io/v1\nkind: ClusterIssuer\nmetadata:\n  name: letsencrypt\nspec:\n  acme:\n    server: ${server}\n`;
const cert = (name: string, ns = 'kubevirt-prow') => `apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata:\n  name: ${name}\n  namespace: ${ns}\nspec:\n  secretName: ${name}\n`;

const base = new Map([
  [`${root}/cert-manager/clusterissuer-letsencrypt.yaml`, issuer('https://acme-v02.api.letsencrypt.org/directory')],
  [`${root}/cert-manager/certificate-deck-tls.yaml`, cert('deck-tls')],
  [`${root}/cert-manager/certificate-old-tls.yaml`, cert('old-tls')],
  [`${root}/appproject-ibm-prow-jobs.yaml`, 'apiVersion: argoproj.io/v1alpha1\nkind: AppProject\nmetadata:\n  name: ibm-prow-jobs\n  namespace: argocd\nspec:\n  sourceRepos: [a, b]\n'],
  ['README.md', 'not a manifest\n'],
]);
const head = new Map([
  [`${root}/cert-manager/clusterissuer-letsencrypt.yaml`, issuer('https://acme-staging-v02.api.letsencrypt.org/directory')],
  // Same object under another file name: not a change.
  [`${root}/cert-manager/certificate-deck.yaml`, cert('deck-tls')],
  [`${root}/cert-manager/certificate-grafana-tls.yaml`, cert('grafana-tls', 'monitoring')],
  [`${root}/appproject-ibm-prow-jobs.yaml`, 'apiVersion: argoproj.io/v1alpha1\nkind: AppProject\nmetadata:\n  name: ibm-prow-jobs\n  namespace: argocd\nspec:\n  sourceRepos: [a, b, c]\n'],
]);

describe('manifestChanges', () => {
  const changes = manifestChanges(base, head);

  it('finds added, removed and changed objects per cluster and app, by identity rather than file name', () => {
    expect(changes).toEqual([
      {
        cluster: 'ibm-prow-jobs',
        app: '(Argo CD: project and Applications)',
        objects: [{ change: 'changed', object: 'AppProject argocd/ibm-prow-jobs', fields: [{ path: 'spec.sourceRepos[c]', before: undefined, after: 'c' }] }],
      },
      {
        cluster: 'ibm-prow-jobs',
        app: 'cert-manager',
        objects: [
          { change: 'removed', object: 'Certificate kubevirt-prow/old-tls', fields: [] },
          { change: 'added', object: 'Certificate monitoring/grafana-tls', fields: [] },
          {
            change: 'changed',
            object: 'ClusterIssuer letsencrypt',
            fields: [{ path: 'spec.acme.server', before: 'https://acme-v02.api.letsencrypt.org/directory', after: 'https://acme-staging-v02.api.letsencrypt.org/directory' }],
          },
        ],
      },
    ]);
  });

  it('prints text', () => {
    expect(formatText(changes, 'main -> working tree')).toBe(
      [
        'main -> working tree: 1 added, 1 removed, 2 changed',
        '',
        'ibm-prow-jobs / (Argo CD: project and Applications)',
        '  ~ AppProject argocd/ibm-prow-jobs',
        '      spec.sourceRepos[c]: (none) -> "c"',
        '',
        'ibm-prow-jobs / cert-manager',
        '  - Certificate kubevirt-prow/old-tls',
        '  + Certificate monitoring/grafana-tls',
        '  ~ ClusterIssuer letsencrypt',
        '      spec.acme.server: "https://acme-v02.api.letsencrypt.org/directory" -> "https://acme-staging-v02.api.letsencrypt.org/directory"',
        '',
      ].join('\n'),
    );
  });

  it('prints Markdown for a pull request', () => {
    expect(formatMarkdown(changes.slice(1), 'Rendered manifests')).toBe(
      [
        '### Rendered manifests',
        '',
        '1 added, 1 removed, 1 changed objects.',
        '',
        '#### `ibm-prow-jobs` / `cert-manager`',
        '',
        '- removed `Certificate kubevirt-prow/old-tls`',
        '- added `Certificate monitoring/grafana-tls`',
        '- changed `ClusterIssuer letsencrypt`',
        '  - `spec.acme.server`: `"https://acme-v02.api.letsencrypt.org/directory"` → `"https://acme-staging-v02.api.letsencrypt.org/directory"`',
        '',
      ].join('\n'),
    );
  });

  it('collapses a long section and fences text diffs as diff blocks', () => {
    const config = (lines: number, extra = '') => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: config\n  namespace: kubevirt-prow\ndata:\n  config.yaml: |\n${Array.from({ length: lines }, (_, i) => `    key${i}: ${i}\n`).join('')}${extra}`;
    const path = `${root}/prow/configmap-config.yaml`;
    const out = formatMarkdown(manifestChanges(new Map([[path, config(40)]]), new Map([[path, config(40, Array.from({ length: 30 }, (_, i) => `    new${i}: x\n`).join(''))]])), 'T');
    const lines = out.split('\n');
    expect(lines.slice(3, 10)).toEqual(['', '<details><summary><code>ibm-prow-jobs</code> / <code>prow</code>: 0 added, 0 removed, 1 changed</summary>', '', '- changed `ConfigMap kubevirt-prow/config`', '  - `data.config.yaml`:', '', '    ```diff']);
    expect(lines.slice(10, 15)).toEqual(['    @@ -38,3 +38,33 @@', '     key37: 37', '     key38: 38', '     key39: 39', '    +new0: x']);
    expect(lines.slice(-5)).toEqual(['    +new29: x', '    ```', '', '</details>', '']);
  });

  it('says so when nothing changed', () => {
    expect(manifestChanges(base, base)).toEqual([]);
    expect(formatText([], 'HEAD -> working tree')).toBe('HEAD -> working tree: no changes to the rendered manifests\n');
    expect(formatMarkdown([], 'T')).toBe('### T\n\nNo changes to the rendered manifests.\n');
  });
});

describe('fieldChanges', () => {
  it('reports leaves by path and lists of numbers by position', () => {
    expect(fieldChanges({ a: { b: 1, c: [1, 2] }, d: 'x' }, { a: { b: 2, c: [1] }, e: true })).toEqual([
      { path: 'a.b', before: 1, after: 2 },
      { path: 'a.c[1]', before: 2, after: undefined },
      { path: 'd', before: 'x', after: undefined },
      { path: 'e', before: undefined, after: true },
    ]);
  });

  it('compares named items by name, so an insertion shows as one item and nothing after it moves', () => {
    const pod = (...names: string[]) => ({ containers: names.map((name) => ({ name, image: `${name}:1` })) });
    expect(fieldChanges(pod('deck', 'hook'), pod('crier', 'deck', 'hook'))).toEqual([{ path: 'containers[name=crier]', before: undefined, after: { name: 'crier', image: 'crier:1' } }]);
    const renamed = { containers: [{ name: 'deck', image: 'deck:2' }, { name: 'hook', image: 'hook:1' }] };
    expect(fieldChanges(pod('deck', 'hook'), renamed)).toEqual([{ path: 'containers[name=deck].image', before: 'deck:1', after: 'deck:2' }]);
    expect(fieldChanges(pod('deck', 'hook'), pod('hook', 'deck'))).toEqual([{ path: 'containers (order)', before: ['name=deck', 'name=hook'], after: ['name=hook', 'name=deck'] }]);
  });

  it('compares flags by name and other strings by value', () => {
    expect(fieldChanges({ args: ['serve', '--a=1', '--b=2', '--dry-run'] }, { args: ['serve', '--a=1', '--x=9', '--b=3'] })).toEqual([
      { path: 'args[--x]', before: undefined, after: '--x=9' },
      { path: 'args[--b]', before: '--b=2', after: '--b=3' },
      { path: 'args[--dry-run]', before: '--dry-run', after: undefined },
    ]);
  });

  it('aligns unnamed items that are equal, so an insertion at the front is one change', () => {
    const rules = (...verbs: string[]) => ({ rules: verbs.map((v) => ({ verbs: [v], apiGroups: [''] })) });
    expect(fieldChanges(rules('get', 'list'), rules('watch', 'get', 'list'))).toEqual([{ path: 'rules[0]', before: undefined, after: { verbs: ['watch'], apiGroups: [''] } }]);
    expect(fieldChanges(rules('get', 'list'), rules('get', 'patch'))).toEqual([{ path: 'rules[1].verbs[patch]', before: undefined, after: 'patch' }, { path: 'rules[1].verbs[list]', before: 'list', after: undefined }]);
  });

  it('shows text of more than one line as a unified diff, every changed line in full', () => {
    const before = ['a: 1', 'b: 2', 'c: 3', 'd: 4', 'e: 5', 'f: 6', 'g: 7', 'h: 8', ''].join('\n');
    const long = `z: ${'x'.repeat(200)}`;
    const after = ['a: 1', 'b: 2', 'c: 30', 'd: 4', 'e: 5', 'f: 6', 'g: 7', 'h: 8', long, ''].join('\n');
    expect(fieldChanges({ data: { 'config.yaml': before } }, { data: { 'config.yaml': after } })).toEqual([
      { path: 'data.config.yaml', before, after, lines: ['@@ -1,8 +1,9 @@', ' a: 1', ' b: 2', '-c: 3', '+c: 30', ' d: 4', ' e: 5', ' f: 6', ' g: 7', ' h: 8', `+${long}`] },
    ]);
    expect(fieldChanges({ data: {} }, { data: { 'new.yaml': 'a: 1\nb: 2\n' } })).toEqual([{ path: 'data.new.yaml', before: undefined, after: 'a: 1\nb: 2\n', lines: ['@@ -0,0 +1,2 @@', '+a: 1', '+b: 2'] }]);
  });
});

describe('placeOf', () => {
  it('places files by cluster and app', () => {
    expect(placeOf('clusters/workloads/manifests/prow-workloads/monitoring/deployment-x.yaml')).toEqual({ cluster: 'prow-workloads', app: 'monitoring' });
    expect(placeOf('clusters/workloads/manifests/prow-workloads/application-x.yaml')).toEqual({ cluster: 'prow-workloads', app: '(Argo CD: project and Applications)' });
    expect(placeOf('clusters/workloads/src/index.ts')).toBeUndefined();
  });
});
