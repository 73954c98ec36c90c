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
        objects: [{ change: 'changed', object: 'AppProject argocd/ibm-prow-jobs', fields: [{ path: 'spec.sourceRepos[2]', before: undefined, after: 'c' }] }],
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
        '      spec.sourceRepos[2]: (none) -> "c"',
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
        '| | Object | Changed fields |',
        '|---|---|---|',
        '| removed | `Certificate kubevirt-prow/old-tls` |  |',
        '| added | `Certificate monitoring/grafana-tls` |  |',
        '| changed | `ClusterIssuer letsencrypt` | `spec.acme.server`: `"https://acme-v02.api.letsencrypt.org/directory"` → `"https://acme-staging-v02.api.letsencrypt.org/directory"` |',
        '',
      ].join('\n'),
    );
  });

  it('says so when nothing changed', () => {
    expect(manifestChanges(base, base)).toEqual([]);
    expect(formatText([], 'HEAD -> working tree')).toBe('HEAD -> working tree: no changes to the rendered manifests\n');
    expect(formatMarkdown([], 'T')).toBe('### T\n\nNo changes to the rendered manifests.\n');
  });
});

describe('fieldChanges', () => {
  it('reports leaves by path, arrays by index, and long values shortened only when printed', () => {
    expect(fieldChanges({ a: { b: 1, c: [1, 2] }, d: 'x' }, { a: { b: 2, c: [1] }, e: true })).toEqual([
      { path: 'a.b', before: 1, after: 2 },
      { path: 'a.c[1]', before: 2, after: undefined },
      { path: 'd', before: 'x', after: undefined },
      { path: 'e', before: undefined, after: true },
    ]);
  });
});

describe('placeOf', () => {
  it('places files by cluster and app', () => {
    expect(placeOf('clusters/workloads/manifests/prow-workloads/monitoring/deployment-x.yaml')).toEqual({ cluster: 'prow-workloads', app: 'monitoring' });
    expect(placeOf('clusters/workloads/manifests/prow-workloads/application-x.yaml')).toEqual({ cluster: 'prow-workloads', app: '(Argo CD: project and Applications)' });
    expect(placeOf('clusters/workloads/src/index.ts')).toBeUndefined();
  });
});
