import type { Finding, ObjectRef } from './finding.ts';
import { authTlsSecretAnnotation, get, ingressClientCaSecret, isObj, podTemplatePaths, remoteWriteSecrets, str, type Obj } from '@kubevirt-ci/kube/read';
import { operatedFile, operatedObjects } from './operated.ts';
import { promqlErrors } from './promql.ts';
import { refOf, type ParsedObject } from './parse.ts';

/** An object that exists outside these manifests (created by hand, by bootstrap, by an operator). */
export interface Provided {
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
  /** The cluster it exists on ('' or absent: every cluster validated). */
  readonly cluster?: string;
  /** The keys it holds, where known (a Secret's). */
  readonly keys?: readonly string[];
}

export interface CrossOptions {
  readonly provided?: readonly Provided[];
  /**
   * The input is a whole cluster (this repository's render, say): an object it refers to and
   * does not hold does not exist, an error. Otherwise (a fragment, one overlay) it may exist
   * elsewhere, and saying so is a warning.
   */
  readonly wholeCluster?: boolean;
}

/**
 * The namespaces every cluster has: kube-apiserver's system namespaces controller makes them
 * (pkg/controlplane/controller/systemnamespaces at our Kubernetes pin).
 */
export const builtinNamespaces: ReadonlySet<string> = new Set(['default', 'kube-system', 'kube-public', 'kube-node-lease']);

/**
 * The annotations that make cert-manager's ingress-shim issue a Certificate for each TLS
 * entry of an Ingress (hasShimAnnotation in pkg/controller/certificate-shim/sync.go at our
 * cert-manager pin; kubernetes.io/tls-acme is its default auto-certificate annotation).
 */
function issuedByShim(ingress: Obj): boolean {
  const annotations = (get(ingress, 'metadata', 'annotations') ?? {}) as Record<string, unknown>;
  return 'cert-manager.io/issuer' in annotations || 'cert-manager.io/cluster-issuer' in annotations || String(annotations['kubernetes.io/tls-acme']).toLowerCase() === 'true';
}

/** Rules whose finding says an object is not in the input: certain in a whole cluster, a guess in a fragment. */
const notInInput = new Set(['cross/missing-reference', 'cross/namespace', 'cross/role-ref', 'cross/subject', 'cross/issuer-ref', 'cross/ingress-tls', 'cross/ingress-backend', 'cross/probe-prober']);

type Labels = Readonly<Record<string, string>>;
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** ClusterRoles every cluster has; RoleBindings may name them without rendering them. */
export const builtinClusterRoles: ReadonlySet<string> = new Set(['admin', 'edit', 'view', 'cluster-admin']);

interface Template {
  readonly owner: ParsedObject;
  readonly namespace: string;
  readonly labels: Labels;
  readonly spec: Obj;
  readonly path: string;
}

function selects(selector: Labels, labels: Labels): boolean {
  const keys = Object.keys(selector);
  return keys.length > 0 && keys.every((k) => labels[k] === selector[k]);
}

function containers(spec: Obj): Obj[] {
  return [...arr(spec['initContainers']), ...arr(spec['containers'])].filter(isObj);
}

/** Every port of a pod template, by number and by name. */
function ports(spec: Obj): { numbers: Set<number>; names: Set<string> } {
  const numbers = new Set<number>();
  const names = new Set<string>();
  for (const c of containers(spec)) {
    for (const p of arr(c['ports']).filter(isObj)) {
      if (typeof p['containerPort'] === 'number') numbers.add(p['containerPort']);
      if (typeof p['name'] === 'string') names.add(p['name']);
    }
  }
  return { numbers, names };
}

const portExists = (p: { numbers: Set<number>; names: Set<string> }, port: unknown) =>
  typeof port === 'number' ? p.numbers.has(port) : typeof port === 'string' ? p.names.has(port) : true;

/**
 * Whether a Service's targetPort reaches a pod: a name must be declared by a container; a
 * number need not be, since the Service forwards to the number itself (containerPort is only
 * a declaration).
 */
const targetExists = (p: { numbers: Set<number>; names: Set<string> }, port: unknown) => typeof port === 'number' || portExists(p, port);

/**
 * Stage 4: references between objects of one cluster, resolved through indexes built once,
 * so the cost grows with the number of objects and not with its square.
 */
export function checkReferences(objects: readonly ParsedObject[], options: CrossOptions = {}, cluster = ''): Finding[] {
  const findings: Finding[] = [];
  const key = (kind: string, ns: string | undefined, name: string) => `${kind}/${ns ?? ''}/${name}`;
  const exists = new Set<string>();
  const add = (kind: string, ns: string | undefined, name: string | undefined) => name && exists.add(key(kind, ns, name));
  // What prometheus-operator creates from these objects is referenced like anything rendered.
  const withOperated = [...objects, ...operatedObjects(objects)];
  for (const o of withOperated) {
    const r = refOf(o.value);
    add(r.kind ?? '', r.namespace, r.name);
    if (r.kind === 'Certificate') add('Secret', r.namespace, str(get(o.value, 'spec', 'secretName')));
  }
  for (const p of options.provided ?? []) if (!p.cluster || p.cluster === cluster) add(p.kind, p.namespace, p.name);
  for (const ns of builtinNamespaces) add('Namespace', undefined, ns);
  const has = (kind: string, ns: string | undefined, name: string) => exists.has(key(kind, ns, name));

  const services = new Map<string, ParsedObject>();
  const servicesIn = new Map<string, ParsedObject[]>();
  for (const o of withOperated) {
    const r = refOf(o.value);
    if (r.kind !== 'Service' || !r.name) continue;
    services.set(`${r.namespace ?? ''}/${r.name}`, o);
    const list = servicesIn.get(r.namespace ?? '') ?? [];
    list.push(o);
    servicesIn.set(r.namespace ?? '', list);
  }

  /** A Service's port by number or name, as Ingress backends and probers give it. */
  const hasPort = (svc: ParsedObject, port: unknown) => arr(get(svc.value, 'spec', 'ports')).filter(isObj).some((p) => p['port'] === port || p['name'] === port);

  const templates: Template[] = [];
  const byNamespace = new Map<string, Template[]>();
  for (const o of withOperated) {
    const path = podTemplatePaths[String(o.value['kind'])];
    if (!path) continue;
    const tmpl = path.length ? get(o.value, ...path) : o.value;
    const spec = get(tmpl, 'spec');
    if (!isObj(spec)) continue;
    const labels = (get(tmpl, 'metadata', 'labels') ?? {}) as Labels;
    const t: Template = { owner: o, namespace: refOf(o.value).namespace ?? '', labels, spec, path: path.length ? `${path.join('.')}.spec` : 'spec' };
    templates.push(t);
    const inNamespace = byNamespace.get(t.namespace) ?? [];
    inNamespace.push(t);
    byNamespace.set(t.namespace, inNamespace);
  }

  const report = (o: ParsedObject, rule: string, path: string, message: string, fix: string, object: ObjectRef = refOf(o.value)) =>
    findings.push({ rule, severity: notInInput.has(rule) && !options.wholeCluster ? 'warning' : 'error', file: o.file, line: o.line, object, path, message, fix });

  for (const t of templates) {
    const ns = t.namespace;
    const o = t.owner;
    if (o.file === operatedFile) continue;
    const selector = get(o.value, 'spec', 'selector', 'matchLabels');
    if (isObj(selector) && o.value['kind'] !== 'CronJob' && !selects(selector as Labels, t.labels)) {
      report(o, 'cross/workload-selector', 'spec.selector.matchLabels', "the selector does not match the pod template's labels", 'make spec.template.metadata.labels carry every selector label');
    }
    const refs: [string, string | undefined, string][] = [];
    arr(t.spec['volumes']).filter(isObj).forEach((v, i) => {
      const at = `${t.path}.volumes[${i}]`;
      refs.push(['ConfigMap', str(get(v, 'configMap', 'name')), at], ['Secret', str(get(v, 'secret', 'secretName')), at], ['PersistentVolumeClaim', str(get(v, 'persistentVolumeClaim', 'claimName')), at]);
      // A projected volume combines ConfigMaps and Secrets into one directory (Prow's job-config shards).
      arr(get(v, 'projected', 'sources')).filter(isObj).forEach((src, j) => {
        refs.push(['ConfigMap', str(get(src, 'configMap', 'name')), `${at}.projected.sources[${j}]`], ['Secret', str(get(src, 'secret', 'name')), `${at}.projected.sources[${j}]`]);
      });
    });
    containers(t.spec).forEach((c, i) => {
      const at = `${t.path}.containers[${i}]`;
      arr(c['env']).filter(isObj).forEach((e) => {
        refs.push(['Secret', str(get(e, 'valueFrom', 'secretKeyRef', 'name')), `${at}.env`], ['ConfigMap', str(get(e, 'valueFrom', 'configMapKeyRef', 'name')), `${at}.env`]);
      });
      arr(c['envFrom']).filter(isObj).forEach((e) => {
        refs.push(['Secret', str(get(e, 'secretRef', 'name')), `${at}.envFrom`], ['ConfigMap', str(get(e, 'configMapRef', 'name')), `${at}.envFrom`]);
      });
      for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
        const port = get(c, probe, 'httpGet', 'port') ?? get(c, probe, 'tcpSocket', 'port') ?? get(c, probe, 'grpc', 'port');
        if (port !== undefined && !portExists(ports({ containers: [c] }), port)) {
          report(o, 'cross/probe-port', `${at}.${probe}`, `the probe targets port ${JSON.stringify(port)}, which the container does not declare`, 'declare the port in the container\'s ports, or probe a declared one');
        }
      }
    });
    const sa = str(t.spec['serviceAccountName']);
    if (sa && sa !== 'default') refs.push(['ServiceAccount', sa, `${t.path}.serviceAccountName`]);
    for (const [kind, name, at] of refs) {
      if (name && !has(kind, ns, name)) {
        report(o, 'cross/missing-reference', at, `${kind} ${ns}/${name} is neither rendered nor declared as provided outside git`, `render it, or declare it as provided (a Secret from the secrets bundle, say)`);
      }
    }
  }

  for (const o of objects) {
    const r = refOf(o.value);
    const ns = r.namespace;
    switch (r.kind) {
      case 'Service': {
        const selector = get(o.value, 'spec', 'selector');
        if (!isObj(selector) || Object.keys(selector).length === 0) break;
        const matched = (byNamespace.get(ns ?? '') ?? []).filter((t) => selects(selector as Labels, t.labels));
        if (matched.length === 0) {
          report(o, 'cross/service-selector', 'spec.selector', 'the selector matches no pod template in the namespace', 'make it match the labels of the pods it should serve');
          break;
        }
        arr(get(o.value, 'spec', 'ports')).filter(isObj).forEach((p, i) => {
          const target = p['targetPort'] ?? p['port'];
          if (!matched.some((t) => targetExists(ports(t.spec), target))) {
            report(o, 'cross/service-port', `spec.ports[${i}].targetPort`, `no selected pod declares port ${JSON.stringify(target)}`, 'point targetPort at a declared container port, by number or name');
          }
        });
        break;
      }
      case 'ServiceMonitor': {
        const selector = get(o.value, 'spec', 'selector', 'matchLabels');
        if (!isObj(selector)) break;
        const names = arr(get(o.value, 'spec', 'namespaceSelector', 'matchNames')).map(String);
        const anyNs = get(o.value, 'spec', 'namespaceSelector', 'any') === true;
        const watched = anyNs ? [...services.values()] : (names.length > 0 ? names : [ns ?? '']).flatMap((n) => servicesIn.get(n) ?? []);
        const selected = watched.filter((svc) => selects(selector as Labels, (get(svc.value, 'metadata', 'labels') ?? {}) as Labels));
        if (selected.length === 0) {
          report(o, 'cross/servicemonitor-selector', 'spec.selector', 'the selector matches no Service in the namespaces it watches', "match the labels of the Service to scrape (and its namespace in namespaceSelector)");
          break;
        }
        arr(get(o.value, 'spec', 'endpoints')).filter(isObj).forEach((e, i) => {
          const port = e['port'];
          if (typeof port === 'string' && !selected.some((svc) => arr(get(svc.value, 'spec', 'ports')).filter(isObj).some((p) => p['name'] === port))) {
            report(o, 'cross/servicemonitor-port', `spec.endpoints[${i}].port`, `no selected Service has a port named ${port}`, "name the Service port the metrics are on");
          }
        });
        break;
      }
      case 'PrometheusRule': {
        arr(get(o.value, 'spec', 'groups')).filter(isObj).forEach((g, i) => {
          arr(g['rules']).filter(isObj).forEach((rule, j) => {
            const expr = rule['expr'];
            const what = str(rule['alert']) ?? str(rule['record']) ?? `rule ${j}`;
            if (typeof expr !== 'string') return;
            for (const e of promqlErrors(expr)) {
              report(o, 'cross/promql', `spec.groups[${i}].rules[${j}].expr`, `${what}: ${e.message}`, 'fix the expression; Prometheus would refuse to load or evaluate it');
            }
          });
        });
        break;
      }
      case 'Probe': {
        // An in-cluster prober (name.namespace.svc:port) must be a rendered Service with that port.
        const url = str(get(o.value, 'spec', 'prober', 'url')) ?? '';
        const m = /^(?:https?:\/\/)?([a-z0-9-]+)\.([a-z0-9-]+)\.svc(?:\.cluster\.local)?:(\d+)$/.exec(url);
        if (!m) break;
        const svc = services.get(`${m[2]}/${m[1]}`);
        if (!svc) report(o, 'cross/probe-prober', 'spec.prober.url', `Service ${m[2]}/${m[1]} is not rendered`, 'point the prober at the rendered exporter Service');
        else if (!hasPort(svc, Number(m[3]))) {
          report(o, 'cross/probe-prober', 'spec.prober.url', `Service ${m[2]}/${m[1]} has no port ${m[3]}`, "use one of the Service's ports");
        }
        break;
      }
      case 'RoleBinding':
      case 'ClusterRoleBinding': {
        const kind = str(get(o.value, 'roleRef', 'kind'));
        const name = str(get(o.value, 'roleRef', 'name')) ?? '';
        const found = kind === 'ClusterRole' ? has('ClusterRole', undefined, name) || builtinClusterRoles.has(name) : has('Role', ns, name);
        if (!found) report(o, 'cross/role-ref', 'roleRef', `${kind} ${kind === 'Role' ? `${ns}/` : ''}${name} is not rendered${kind === 'ClusterRole' ? ' and is not a built-in ClusterRole' : ''}`, 'render the role or fix roleRef');
        arr(o.value['subjects']).filter(isObj).forEach((s, i) => {
          if (s['kind'] !== 'ServiceAccount') return;
          const sns = str(s['namespace']) ?? ns;
          const sname = str(s['name']) ?? '';
          if (!has('ServiceAccount', sns, sname)) report(o, 'cross/subject', `subjects[${i}]`, `ServiceAccount ${sns}/${sname} is neither rendered nor declared as provided`, 'render the ServiceAccount or fix the subject');
        });
        break;
      }
      case 'Certificate': {
        const kind = str(get(o.value, 'spec', 'issuerRef', 'kind')) ?? 'Issuer';
        const name = str(get(o.value, 'spec', 'issuerRef', 'name')) ?? '';
        const found = kind === 'ClusterIssuer' ? has('ClusterIssuer', undefined, name) : has('Issuer', ns, name);
        if (!found) report(o, 'cross/issuer-ref', 'spec.issuerRef', `${kind} ${kind === 'Issuer' ? `${ns}/` : ''}${name} is not rendered${kind === 'Issuer' ? ' in the Certificate\'s namespace (an Issuer only serves its own namespace)' : ''}`, 'render the issuer or point issuerRef at one that exists');
        break;
      }
      case 'Prometheus': {
        // The operator copies remote-write TLS files from these Secrets; it refuses the
        // resource while one is missing (the Prometheus is then never reconciled).
        for (const ref of remoteWriteSecrets(o.value)) {
          if (!has('Secret', ns, ref.name)) {
            report(o, 'cross/missing-reference', ref.path, `Secret ${ns}/${ref.name} is neither rendered nor declared as provided outside git`, 'render it, or declare it as provided (a Secret from the secrets bundle, say)');
          }
        }
        break;
      }
      case 'Ingress': {
        const clientCa = ingressClientCaSecret(o.value);
        if (clientCa && !has('Secret', clientCa.namespace, clientCa.name)) {
          report(o, 'cross/missing-reference', `metadata.annotations[${authTlsSecretAnnotation}]`, `Secret ${clientCa.namespace}/${clientCa.name} is neither rendered nor declared as provided outside git: ingress-nginx would deny every request to the host`, 'declare the client CA Secret as provided, with key ca.crt');
        }
        const backends: [unknown, string][] = [[get(o.value, 'spec', 'defaultBackend'), 'spec.defaultBackend']];
        arr(get(o.value, 'spec', 'rules')).forEach((rule, i) =>
          arr(get(rule, 'http', 'paths')).forEach((p, j) => backends.push([get(p, 'backend'), `spec.rules[${i}].http.paths[${j}].backend`])),
        );
        for (const [b, at] of backends) {
          const svc = str(get(b, 'service', 'name'));
          if (!svc) continue;
          const service = services.get(`${ns ?? ''}/${svc}`);
          if (!service) {
            report(o, 'cross/ingress-backend', at, `Service ${ns}/${svc} is not rendered`, 'point the backend at a rendered Service');
            continue;
          }
          const port = get(b, 'service', 'port', 'number') ?? get(b, 'service', 'port', 'name');
          if (port !== undefined && !hasPort(service, port)) {
            report(o, 'cross/ingress-backend', `${at}.service.port`, `Service ${ns}/${svc} has no port ${JSON.stringify(port)}`, 'use one of the Service\'s ports');
          }
        }
        arr(get(o.value, 'spec', 'tls')).filter(isObj).forEach((tls, i) => {
          const secret = str(tls['secretName']);
          if (secret && !has('Secret', ns, secret) && !issuedByShim(o.value)) report(o, 'cross/ingress-tls', `spec.tls[${i}].secretName`, `no Certificate issues Secret ${ns}/${secret} and it is not declared as provided`, 'render a Certificate with that secretName');
        });
        break;
      }
    }
    // Applications and AppProjects land on the cluster Argo CD runs on, not on the one they deploy to.
    const onArgoCd = String(o.value['apiVersion']).startsWith('argoproj.io/') && (r.kind === 'Application' || r.kind === 'AppProject');
    if (ns && !onArgoCd && !has('Namespace', undefined, ns)) {
      report(o, 'cross/namespace', 'metadata.namespace', `namespace ${ns} is not created by these manifests`, 'render the Namespace (or declare it as provided)');
    }
  }
  return findings;
}
