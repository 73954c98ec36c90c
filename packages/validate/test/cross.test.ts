import { describe, expect, it } from 'vitest';
import { checkReferences, clusterOf, parseManifests, type Provided } from '../src/index.ts';

const ns = (name: string) => `apiVersion: v1\nkind: Namespace\nmetadata: {name: ${name}}\n---\n`;
const deploy = (opts: { labels?: string; selector?: string; ports?: string; probe?: string; volumes?: string; sa?: string } = {}) =>
  `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: deck, namespace: ci}\nspec:\n  selector: {matchLabels: ${opts.selector ?? '{app: deck}'}}\n  template:\n    metadata: {labels: ${opts.labels ?? '{app: deck}'}}\n    spec:\n${opts.sa ? `      serviceAccountName: ${opts.sa}\n` : ''}      containers:\n        - name: deck\n          image: deck:v1\n          ports: ${opts.ports ?? '[{containerPort: 8080, name: http}]'}\n${opts.probe ? `          readinessProbe: {httpGet: {port: ${opts.probe}}}\n` : ''}${opts.volumes ? `      volumes: ${opts.volumes}\n` : ''}---\n`;

const run = (text: string, provided?: Provided[]) =>
  checkReferences(parseManifests('m.yaml', text).objects, { provided }).map((f) => [f.rule, f.object?.kind, f.path, f.message]);

describe('checkReferences', () => {
  it('passes a consistent set', () => {
    const svc = 'apiVersion: v1\nkind: Service\nmetadata: {name: deck, namespace: ci}\nspec:\n  selector: {app: deck}\n  ports: [{port: 80, targetPort: http}]\n---\n';
    const ing = 'apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: deck, namespace: ci}\nspec:\n  tls: [{secretName: deck-tls}]\n  rules: [{http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: deck, port: {number: 80}}}}]}}]\n---\n';
    const cert = 'apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata: {name: deck-tls, namespace: ci}\nspec: {secretName: deck-tls, issuerRef: {kind: ClusterIssuer, name: letsencrypt}}\n---\napiVersion: cert-manager.io/v1\nkind: ClusterIssuer\nmetadata: {name: letsencrypt}\n---\n';
    const rbac = 'apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: deck, namespace: ci}\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: deck, namespace: ci}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}\nsubjects: [{kind: ServiceAccount, name: deck, namespace: ci}]\n---\n';
    const text = ns('ci') + deploy({ probe: 'http', sa: 'deck', volumes: '[{name: t, secret: {secretName: github-token}}]' }) + svc + ing + cert + rbac;
    expect(run(text, [{ kind: 'Secret', namespace: 'ci', name: 'github-token' }])).toEqual([]);
  });

  it("takes what every cluster has or makes for itself as there: the system namespaces, a numeric targetPort, ingress-shim's TLS Secrets", () => {
    const inSystem = ['default', 'kube-system', 'kube-public', 'kube-node-lease'].map((n) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: ${n}}\n---\n`).join('');
    const svc = 'apiVersion: v1\nkind: Service\nmetadata: {name: deck, namespace: ci}\nspec:\n  selector: {app: deck}\n  ports: [{port: 80, targetPort: 9090}]\n---\n';
    const ing = (annotations: string) =>
      `apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: deck, namespace: ci, annotations: ${annotations}}\nspec:\n  tls: [{secretName: deck-tls}]\n  rules: [{http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: deck, port: {number: 80}}}}]}}]\n---\n`;
    const whole = (text: string) => checkReferences(parseManifests('m.yaml', text).objects, { wholeCluster: true }).map((f) => [f.rule, f.severity, f.path]);
    expect(whole(inSystem + ns('ci') + deploy() + svc + ing("{cert-manager.io/cluster-issuer: letsencrypt}") + ing('{cert-manager.io/issuer: local}') + ing("{kubernetes.io/tls-acme: 'true'}"))).toEqual([]);
    expect(whole(ns('ci') + deploy() + svc + ing('{}'))).toEqual([['cross/ingress-tls', 'error', 'spec.tls[0].secretName']]);
  });

  it('says an object outside the input is missing as an error for a whole cluster, and as a warning for a fragment', () => {
    const text = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: elsewhere}\n';
    const severities = (wholeCluster: boolean) => checkReferences(parseManifests('m.yaml', text).objects, { wholeCluster }).map((f) => [f.rule, f.severity]);
    expect([severities(true), severities(false)]).toEqual([[['cross/namespace', 'error']], [['cross/namespace', 'warning']]]);
  });

  it("reports an Ingress's client CA Secret and a Prometheus's remote-write TLS Secrets that nothing provides", () => {
    const ing = (secret: string) =>
      `apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: r, namespace: ci, annotations: {nginx.ingress.kubernetes.io/auth-tls-secret: ${secret}}}\nspec: {}\n---\n`;
    const prom =
      'apiVersion: monitoring.coreos.com/v1\nkind: Prometheus\nmetadata: {name: main, namespace: ci}\nspec:\n  remoteWrite: [{url: "https://hub/api/v1/receive", tlsConfig: {cert: {secret: {name: writer, key: tls.crt}}, keySecret: {name: writer, key: tls.key}, ca: {secret: {name: hub-ca, key: ca.crt}}}}]\n---\n';
    expect(run(ns('ci') + ing('ci/client-ca') + ing('client-ca') + prom).map((f) => [f[2], f[3]])).toEqual([
      ['metadata.annotations[nginx.ingress.kubernetes.io/auth-tls-secret]', 'Secret ci/client-ca is neither rendered nor declared as provided outside git: ingress-nginx would deny every request to the host'],
      ['metadata.annotations[nginx.ingress.kubernetes.io/auth-tls-secret]', 'Secret ci/client-ca is neither rendered nor declared as provided outside git: ingress-nginx would deny every request to the host'],
      ['spec.remoteWrite[0].tlsConfig.cert.secret', 'Secret ci/writer is neither rendered nor declared as provided outside git'],
      ['spec.remoteWrite[0].tlsConfig.keySecret', 'Secret ci/writer is neither rendered nor declared as provided outside git'],
      ['spec.remoteWrite[0].tlsConfig.ca.secret', 'Secret ci/hub-ca is neither rendered nor declared as provided outside git'],
    ]);
    const provided = ['client-ca', 'writer', 'hub-ca'].map((name) => ({ kind: 'Secret', namespace: 'ci', name }));
    expect(run(ns('ci') + ing('ci/client-ca') + prom, provided)).toEqual([]);
  });

  it('reports a workload whose selector misses its template', () => {
    expect(run(ns('ci') + deploy({ labels: '{app: other}' }))).toEqual([['cross/workload-selector', 'Deployment', 'spec.selector.matchLabels', "the selector does not match the pod template's labels"]]);
  });

  it('reports a Service that selects nothing, or targets a port no pod declares', () => {
    const svc = (selector: string, target: string) => `apiVersion: v1\nkind: Service\nmetadata: {name: deck, namespace: ci}\nspec:\n  selector: ${selector}\n  ports: [{port: 80, targetPort: ${target}}]\n`;
    expect(run(ns('ci') + deploy() + svc('{app: nope}', 'http'))).toEqual([['cross/service-selector', 'Service', 'spec.selector', 'the selector matches no pod template in the namespace']]);
    expect(run(ns('ci') + deploy() + svc('{app: deck}', 'metrics'))).toEqual([['cross/service-port', 'Service', 'spec.ports[0].targetPort', 'no selected pod declares port "metrics"']]);
    expect(run(ns('ci') + deploy() + svc('{app: deck}', '8080'))).toEqual([]);
  });

  it('reports a probe on an undeclared port', () => {
    expect(run(ns('ci') + deploy({ probe: '8081' }))).toEqual([['cross/probe-port', 'Deployment', 'spec.template.spec.containers[0].readinessProbe', 'the probe targets port 8081, which the container does not declare']]);
  });

  it('reports ConfigMaps, Secrets, claims and ServiceAccounts a pod uses that nothing provides', () => {
    const volumes = '[{name: a, configMap: {name: config}}, {name: b, secret: {secretName: hmac-token}}, {name: c, persistentVolumeClaim: {claimName: cache}}]';
    expect(run(ns('ci') + deploy({ volumes, sa: 'deck' })).map((f) => f[3])).toEqual([
      'ConfigMap ci/config is neither rendered nor declared as provided outside git',
      'Secret ci/hmac-token is neither rendered nor declared as provided outside git',
      'PersistentVolumeClaim ci/cache is neither rendered nor declared as provided outside git',
      'ServiceAccount ci/deck is neither rendered nor declared as provided outside git',
    ]);
  });

  it('reports the ConfigMaps and Secrets of a projected volume that nothing provides, by source', () => {
    const volumes = '[{name: jobs, projected: {sources: [{configMap: {name: job-config-1}}, {configMap: {name: job-config-2}}, {secret: {name: token}}]}}]';
    const cm = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: job-config-1, namespace: ci}\n---\n';
    expect(run(ns('ci') + cm + deploy({ volumes })).map((f) => [f[2], f[3]])).toEqual([
      ['spec.template.spec.volumes[0].projected.sources[1]', 'ConfigMap ci/job-config-2 is neither rendered nor declared as provided outside git'],
      ['spec.template.spec.volumes[0].projected.sources[2]', 'Secret ci/token is neither rendered nor declared as provided outside git'],
    ]);
  });

  it('accepts an object provided on this cluster, not one provided on another', () => {
    const text = ns('ci') + deploy({ volumes: '[{name: t, secret: {secretName: hmac-token}}]' });
    const objects = parseManifests('m.yaml', text).objects;
    expect(checkReferences(objects, { provided: [{ kind: 'Secret', namespace: 'ci', name: 'hmac-token', cluster: 'hub-1' }] }, 'hub-1')).toEqual([]);
    expect(checkReferences(objects, { provided: [{ kind: 'Secret', namespace: 'ci', name: 'hmac-token', cluster: 'hub-1' }] }, 'spoke-1').map((f) => f.rule)).toEqual(['cross/missing-reference']);
  });

  it('reports bindings to missing roles or ServiceAccounts, allowing built-in ClusterRoles', () => {
    const binding = (kind: string, role: string) =>
      `apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: b, namespace: ci}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ${kind}, name: ${role}}\nsubjects: [{kind: ServiceAccount, name: prow, namespace: ci}]\n`;
    expect(run(ns('ci') + binding('ClusterRole', 'admin'))).toEqual([['cross/subject', 'RoleBinding', 'subjects[0]', 'ServiceAccount ci/prow is neither rendered nor declared as provided']]);
    expect(run(ns('ci') + binding('Role', 'deck'), [{ kind: 'ServiceAccount', namespace: 'ci', name: 'prow' }])).toEqual([['cross/role-ref', 'RoleBinding', 'roleRef', 'Role ci/deck is not rendered']]);
    expect(run(ns('ci') + binding('ClusterRole', 'prow-admin'), [{ kind: 'ServiceAccount', namespace: 'ci', name: 'prow' }])).toEqual([
      ['cross/role-ref', 'RoleBinding', 'roleRef', 'ClusterRole prow-admin is not rendered and is not a built-in ClusterRole'],
    ]);
  });

  it('reports a Certificate whose issuer does not exist where its kind looks', () => {
    const cert = (kind: string) => `apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata: {name: c, namespace: ci}\nspec: {secretName: c, issuerRef: {kind: ${kind}, name: letsencrypt}}\n---\n`;
    const issuerElsewhere = `${ns('other')}apiVersion: cert-manager.io/v1\nkind: Issuer\nmetadata: {name: letsencrypt, namespace: other}\n`;
    expect(run(ns('ci') + cert('Issuer') + issuerElsewhere)).toEqual([
      ['cross/issuer-ref', 'Certificate', 'spec.issuerRef', "Issuer ci/letsencrypt is not rendered in the Certificate's namespace (an Issuer only serves its own namespace)"],
    ]);
    expect(run(ns('ci') + cert('ClusterIssuer'))).toEqual([['cross/issuer-ref', 'Certificate', 'spec.issuerRef', 'ClusterIssuer letsencrypt is not rendered']]);
  });

  it('reports Ingress backends and TLS Secrets that do not exist', () => {
    const svc = 'apiVersion: v1\nkind: Service\nmetadata: {name: deck, namespace: ci}\nspec: {ports: [{port: 80}]}\n---\n';
    const ing = 'apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: i, namespace: ci}\nspec:\n  tls: [{secretName: prow-tls}]\n  rules: [{http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: deck, port: {number: 8080}}}}, {path: /hook, pathType: Prefix, backend: {service: {name: hook, port: {number: 8888}}}}]}}]\n';
    expect(run(ns('ci') + svc + ing)).toEqual([
      ['cross/ingress-backend', 'Ingress', 'spec.rules[0].http.paths[0].backend.service.port', 'Service ci/deck has no port 8080'],
      ['cross/ingress-backend', 'Ingress', 'spec.rules[0].http.paths[1].backend', 'Service ci/hook is not rendered'],
      ['cross/ingress-tls', 'Ingress', 'spec.tls[0].secretName', 'no Certificate issues Secret ci/prow-tls and it is not declared as provided'],
    ]);
  });

  it('reports objects in a namespace nothing creates, except Argo CD objects, which land on the hub', () => {
    expect(run('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: ghost}\n')).toEqual([['cross/namespace', 'ConfigMap', 'metadata.namespace', 'namespace ghost is not created by these manifests']]);
    expect(run('apiVersion: argoproj.io/v1alpha1\nkind: AppProject\nmetadata: {name: p, namespace: argocd}\n')).toEqual([]);
  });

  it('reports a ServiceMonitor that selects no Service, or names a port it does not have', () => {
    const svc = `${ns('kubevirt-prow')}apiVersion: v1\nkind: Service\nmetadata: {name: crier, namespace: kubevirt-prow, labels: {app: crier}}\nspec: {ports: [{name: metrics, port: 9090}]}\n---\n`;
    const sm = (labels: string, port: string, where = '{matchNames: [kubevirt-prow]}') =>
      `apiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata: {name: crier, namespace: monitoring}\nspec:\n  namespaceSelector: ${where}\n  selector: {matchLabels: ${labels}}\n  endpoints: [{port: ${port}}]\n`;
    expect(run(ns('monitoring') + svc + sm('{app: crier}', 'metrics'))).toEqual([]);
    expect(run(ns('monitoring') + svc + sm('{app: crier}', 'metrics', '{any: true}'))).toEqual([]);
    expect(run(ns('monitoring') + svc + sm('{app: crier}', 'metrics', '{}'))).toEqual([
      ['cross/servicemonitor-selector', 'ServiceMonitor', 'spec.selector', 'the selector matches no Service in the namespaces it watches'],
    ]);
    expect(run(ns('monitoring') + svc + sm('{app: crier}', 'http-metrics'))).toEqual([['cross/servicemonitor-port', 'ServiceMonitor', 'spec.endpoints[0].port', 'no selected Service has a port named http-metrics']]);
  });

  it('groups files by the cluster directory they are rendered into', () => {
    expect([clusterOf('clusters/workloads/manifests/prow-workloads/x/a.yaml'), clusterOf('manifests/ibm-prow-jobs/a.yaml'), clusterOf('other/a.yaml')]).toEqual(['prow-workloads', 'ibm-prow-jobs', '']);
  });
});
