import { z } from 'zod';
import { Problems } from './errors.ts';
import { formatPath, hasPath, mergeValues } from './merge.ts';
import { declare, nothingDeclared } from './declare.ts';
import type { AppBinding, AppDefinition, Cluster, ClusterSpec, EnabledApp, Flow, ResolvedTopology, RoleSpec, Topology } from './model.ts';
import { isDnsLabel, isHostname, isImageReference, isImageTag } from './names.ts';
import { sourceOf } from './source.ts';

/** Where a cluster's manifests are rendered, relative to the repository root. */
export function manifestsDir(role: string, cluster: string): string {
  return `clusters/${role}/manifests/${cluster}`;
}

/**
 * Every image in the versions facts is a reference a container runtime can pull: a string
 * naming a registry path with a tag or digest, and every `tag`, by the reference grammar.
 */
function imageProblems(value: unknown, path: string, add: (field: string, message: string) => void): void {
  if (typeof value === 'string') {
    const key = path.split('.').at(-1);
    if (key === 'tag' && !isImageTag(value)) add(path, `"${value}" is not an image tag`);
    else if (key !== 'tag' && !value.includes('://') && value.includes('/') && /[:@]/.test(value) && !isImageReference(value)) add(path, `"${value}" is not an image reference`);
  } else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) imageProblems(v, path ? `${path}.${k}` : k, add);
  }
}

function validateFacts(t: Topology, problems: Problems): void {
  imageProblems(t.versions, '', (field, message) =>
    problems.add({ file: sourceOf(t.versions), object: 'versions', field, message, fix: 'write it as registry/path:tag or registry/path@sha256:digest, with no spaces (tags: letters, digits, _ . -)' }),
  );
  const nsFile = sourceOf(t.namespaces);
  for (const [name, ns] of Object.entries(t.namespaces)) {
    if (!isDnsLabel(name)) {
      problems.add({ file: nsFile, object: `namespace "${name}"`, field: 'name', message: 'is not a valid namespace name (RFC 1123 label)', fix: 'use lower-case letters, digits and dashes, at most 63 characters' });
    }
    if (ns.podSecurity !== 'restricted' && !ns.podSecurityReason) {
      problems.add({ file: nsFile, object: `namespace "${name}"`, field: 'podSecurityReason', message: `pod security "${ns.podSecurity}" is below "restricted" and says no reason`, fix: 'say why its pods cannot run restricted, or make it restricted' });
    }
  }
  const exFile = sourceOf(t.exposedServices);
  const hosts = new Map<string, string>();
  for (const [name, ex] of Object.entries(t.exposedServices)) {
    const object = `exposed service "${name}"`;
    if (!isHostname(ex.host)) {
      problems.add({ file: exFile, object, field: 'host', message: `"${ex.host}" is not a valid hostname`, fix: 'use a fully qualified DNS name such as prow.ci.kubevirt.io' });
    }
    const other = hosts.get(ex.host);
    if (other) problems.add({ file: exFile, object, field: 'host', message: `"${ex.host}" is already the host of "${other}"`, fix: 'give each exposed service its own hostname' });
    hosts.set(ex.host, name);
    if (!(ex.namespace in t.namespaces)) {
      problems.add({ file: exFile, object, field: 'namespace', message: `unknown namespace "${ex.namespace}"`, fix: `declare it in ${nsFile} or use one of: ${Object.keys(t.namespaces).join(', ')}` });
    }
    if (!isDnsLabel(ex.service)) {
      problems.add({ file: exFile, object, field: 'service', message: `"${ex.service}" is not a valid Service name`, fix: 'use an RFC 1123 label' });
    }
    if (!Number.isInteger(ex.port) || ex.port < 1 || ex.port > 65535) {
      problems.add({ file: exFile, object, field: 'port', message: `${ex.port} is not a TCP port`, fix: 'use a whole number from 1 to 65535' });
    }
  }
  const appNames = new Map<string, AppDefinition>();
  for (const app of t.apps) {
    const file = sourceOf(app);
    if (!isDnsLabel(app.name)) {
      problems.add({ file, object: `app "${app.name}"`, field: 'name', message: 'is not a valid app name', fix: 'use lower-case letters, digits and dashes' });
    }
    if (appNames.has(app.name)) {
      problems.add({ file, object: `app "${app.name}"`, field: 'name', message: `another app is already named "${app.name}" (${sourceOf(appNames.get(app.name)!)})`, fix: 'rename one of them' });
    }
    appNames.set(app.name, app);
    app.requires.forEach((req, i) => {
      if (!t.apps.some((a) => a.name === req)) {
        problems.add({ file, object: `app "${app.name}"`, field: `requires[${i}]`, message: `unknown app "${req}"`, fix: `name one of: ${t.apps.map((a) => a.name).join(', ')}` });
      }
    });
  }
}

/**
 * What a cluster entry must look like before anything reads it: a role file is TypeScript
 * that a type error does not stop (tsx runs it), so a string where a list goes is caught here.
 */
const clusterSpecShape = z
  .object({
    name: z.string(),
    description: z.string(),
    uses: z.object({ services: z.array(z.string()), buckets: z.array(z.string()) }).strict(),
    connectedClusters: z.array(z.object({ cluster: z.string(), why: z.string() }).strict()),
    exposes: z.array(z.string()),
    ingressClassName: z.string().optional(),
    values: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

/** Problems with the shape of a cluster entry. */
function clusterShapeProblems(role: RoleSpec, spec: unknown, index: number, problems: Problems): void {
  const parsed = clusterSpecShape.safeParse(spec);
  if (parsed.success) return;
  const name = (spec as { name?: unknown } | undefined)?.name;
  const object = typeof name === 'string' ? `cluster "${name}"` : `role "${role.role}", clusters[${index}]`;
  for (const issue of parsed.error.issues) {
    const path = issue.path as PropertyKey[];
    problems.add({ file: sourceOf(spec as object, sourceOf(role)), object, field: path.length ? formatPath(path) : 'cluster', message: issue.message, fix: 'see the ClusterSpec fields in packages/topology/src/model.ts' });
  }
}

/** A Kubernetes object name (RFC 1123 subdomain), as an IngressClass's is. */
const isSubdomain = (s: string) => s.length <= 253 && s.split('.').every(isDnsLabel);

function validateClusterSpec(t: Topology, role: RoleSpec, spec: ClusterSpec, allClusters: ReadonlySet<string>, problems: Problems): void {
  const file = sourceOf(spec, sourceOf(role));
  const object = `cluster "${spec.name}"`;
  if (!isDnsLabel(spec.name)) {
    problems.add({ file, object, field: 'name', message: 'is not a valid cluster name (RFC 1123 label)', fix: 'use the Prow context name: lower-case letters, digits and dashes' });
  }
  if (!spec.description.trim()) problems.add({ file, object, field: 'description', message: 'is empty', fix: 'say in a sentence what the cluster is for' });
  spec.uses.services.forEach((s, i) => {
    if (!(s in t.external) || s === 'gcs') {
      problems.add({ file, object, field: `uses.services[${i}]`, message: `unknown external service "${s}"`, fix: `name one of: ${Object.keys(t.external).filter((k) => k !== 'gcs').join(', ')} (buckets go in uses.buckets)` });
    }
  });
  spec.uses.buckets.forEach((b, i) => {
    if (!(b in t.external.gcs.buckets)) {
      problems.add({ file, object, field: `uses.buckets[${i}]`, message: `unknown bucket purpose "${b}"`, fix: `name one of: ${Object.keys(t.external.gcs.buckets).join(', ')}` });
    }
  });
  const connected = new Set<string>();
  spec.connectedClusters.forEach((c, i) => {
    if (connected.has(c.cluster)) {
      problems.add({ file, object, field: `connectedClusters[${i}].cluster`, message: `"${c.cluster}" is already connected above`, fix: 'list each connected cluster once; say every reason in its one why' });
    }
    connected.add(c.cluster);
    if (!allClusters.has(c.cluster)) {
      problems.add({ file, object, field: `connectedClusters[${i}].cluster`, message: `unknown cluster "${c.cluster}"`, fix: `name one of: ${[...allClusters].join(', ')}` });
    } else if (c.cluster === spec.name) {
      problems.add({ file, object, field: `connectedClusters[${i}].cluster`, message: 'a cluster cannot be connected to itself', fix: 'remove the entry' });
    }
  });
  if (spec.ingressClassName !== undefined && !isSubdomain(spec.ingressClassName)) {
    problems.add({ file, object, field: 'ingressClassName', message: `"${spec.ingressClassName}" is not a valid IngressClass name`, fix: 'use the name of an IngressClass: lower-case letters, digits, dashes and dots' });
  }
  if (spec.exposes.length > 0 && !spec.ingressClassName) {
    problems.add({ file, object, field: 'ingressClassName', message: 'the cluster exposes services but names no IngressClass', fix: "set ingressClassName to the class of the cluster's ingress controller" });
  }
  spec.exposes.forEach((e, i) => {
    if (!(e in t.exposedServices)) {
      problems.add({ file, object, field: `exposes[${i}]`, message: `unknown exposed service "${e}"`, fix: `name one of: ${Object.keys(t.exposedServices).join(', ')}, or declare it in ${sourceOf(t.exposedServices)}` });
    }
  });
}

function resolveApps(t: Topology, role: RoleSpec, spec: ClusterSpec, problems: Problems): EnabledApp[] {
  const clusterFile = sourceOf(spec, sourceOf(role));
  const object = `cluster "${spec.name}"`;
  const enabled: EnabledApp[] = [];
  const bound = new Map<string, AppBinding>();
  for (const binding of role.apps) bound.set(binding.app.name, binding);

  for (const [name, _override] of Object.entries(spec.values ?? {})) {
    if (!t.apps.some((a) => a.name === name)) {
      problems.add({ file: clusterFile, object, field: `values["${name}"]`, message: `unknown app "${name}"`, fix: `name one of: ${t.apps.map((a) => a.name).join(', ')}` });
    } else if (!bound.has(name)) {
      problems.add({ file: clusterFile, object, field: `values["${name}"]`, message: `app "${name}" is not enabled on role "${role.role}"`, fix: `enable it in ${sourceOf(role)} or remove these values` });
    }
  }

  for (const binding of role.apps) {
    const { app } = binding;
    const override = spec.values?.[app.name];
    const parsed = app.values.safeParse(mergeValues(binding.values, override));
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const path = issue.path as PropertyKey[];
        const fromCluster = override !== undefined && hasPath(override, path);
        problems.add({
          file: fromCluster ? clusterFile : sourceOf(binding, sourceOf(role)),
          object: `${object}, app "${app.name}"`,
          field: `values${path.length ? '.' + formatPath(path) : ''}`,
          message: issue.message,
          fix: `set a valid value (see the values schema in ${sourceOf(app)})`,
        });
      }
      continue;
    }
    enabled.push({ app, values: parsed.data, declared: nothingDeclared });
  }
  return enabled;
}

function validateRoleApps(t: Topology, role: RoleSpec, problems: Problems): void {
  const file = sourceOf(role);
  const seen = new Set<string>();
  role.apps.forEach((binding, i) => {
    const name = binding.app.name;
    if (!t.apps.includes(binding.app)) {
      problems.add({ file, object: `role "${role.role}"`, field: `apps[${i}]`, message: `unknown app "${name}"`, fix: `add its package to apps/ (known: ${t.apps.map((a) => a.name).join(', ')})` });
    }
    if (seen.has(name)) {
      problems.add({ file, object: `role "${role.role}"`, field: `apps[${i}]`, message: `app "${name}" is enabled twice`, fix: 'enable each app once; put its values in one place' });
    }
    seen.add(name);
  });
  role.apps.forEach((binding, i) => {
    binding.app.requires.forEach((req) => {
      if (t.apps.some((a) => a.name === req) && !seen.has(req)) {
        problems.add({ file, object: `role "${role.role}"`, field: `apps[${i}]`, message: `app "${binding.app.name}" needs app "${req}", which is not enabled on this role`, fix: `enable "${req}" on role "${role.role}" too` });
      }
    });
  });
}

/** A flow must point at something that exists: a component a cluster runs, a known service or bucket. */
function flowProblems(t: Topology, clusters: readonly Cluster[], cluster: Cluster, app: AppDefinition, flows: readonly Flow[], problems: Problems): void {
  const object = `app "${app.name}" on cluster "${cluster.name}"`;
  flows.forEach((f, i) => {
    const field = `flows()[${i}].peer`;
    const p = f.peer;
    if ('cluster' in p) {
      const target = clusters.find((c) => c.name === p.cluster);
      if (!target) {
        problems.add({ file: sourceOf(app), object, field, message: `unknown cluster "${p.cluster}"`, fix: `name one of: ${clusters.map((c) => c.name).join(', ')}` });
      } else if (!target.apps.some((e) => e.app.component === p.component)) {
        problems.add({ file: sourceOf(app), object, field, message: `cluster "${p.cluster}" runs no component "${p.component}"`, fix: `name one of: ${target.apps.map((e) => e.app.component).join(', ') || '(none)'}` });
      }
    } else if ('external' in p) {
      if (!(p.external in t.external) || p.external === 'gcs') {
        problems.add({ file: sourceOf(app), object, field, message: `unknown external service "${p.external}"`, fix: 'name github, quay or slack; buckets go in { bucket }' });
      }
    } else if (!(p.bucket in t.external.gcs.buckets)) {
      problems.add({ file: sourceOf(app), object, field, message: `unknown bucket purpose "${p.bucket}"`, fix: `name one of: ${Object.keys(t.external.gcs.buckets).join(', ')}` });
    }
  });
}

/**
 * Checks every rule of the topology and resolves each cluster's apps and values.
 * Throws a TopologyError listing every problem; nothing has been rendered or written yet.
 */
export function resolveTopology(t: Topology): ResolvedTopology {
  const problems = new Problems();
  validateFacts(t, problems);

  // A misshapen cluster entry stops resolution here (with the facts' problems): everything
  // after reads its fields.
  const before = problems.list.length;
  for (const role of t.roles) role.clusters.forEach((c, i) => clusterShapeProblems(role, c, i, problems));
  if (problems.list.length > before) problems.throwIfAny();
  const roleNames = new Set<string>();
  const clusterNames = new Set<string>();
  for (const role of t.roles) {
    if (!isDnsLabel(role.role)) {
      problems.add({ file: sourceOf(role), object: `role "${role.role}"`, field: 'role', message: 'is not a valid role name', fix: 'use lower-case letters, digits and dashes (it is a directory under clusters/)' });
    }
    if (roleNames.has(role.role)) {
      problems.add({ file: sourceOf(role), object: `role "${role.role}"`, field: 'role', message: 'another role has the same name', fix: 'give each role its own name' });
    }
    roleNames.add(role.role);
    for (const c of role.clusters) {
      if (clusterNames.has(c.name)) {
        problems.add({ file: sourceOf(c, sourceOf(role)), object: `cluster "${c.name}"`, field: 'name', message: 'another cluster has the same name', fix: 'cluster names are Prow contexts and must be unique' });
      }
      clusterNames.add(c.name);
    }
  }

  const hubs = t.roles.filter((r) => r.hub);
  if (hubs.length !== 1) {
    problems.add({
      file: hubs[1] ? sourceOf(hubs[1]) : sourceOf(t.roles[0] ?? t.gitops),
      object: 'topology',
      field: 'roles[].hub',
      message: `${hubs.length} roles are marked hub; exactly one must be (the control plane, where Argo CD runs)`,
      fix: 'set hub: true on exactly one role',
    });
  } else if (hubs[0]!.clusters.length !== 1) {
    problems.add({ file: sourceOf(hubs[0]!), object: `role "${hubs[0]!.role}"`, field: 'clusters', message: `the hub role has ${hubs[0]!.clusters.length} clusters; Argo CD runs on exactly one`, fix: 'declare exactly one cluster in the hub role' });
  }

  const clusters: Cluster[] = [];
  for (const role of t.roles) {
    validateRoleApps(t, role, problems);
    for (const spec of role.clusters) {
      validateClusterSpec(t, role, spec, clusterNames, problems);
      const apps = resolveApps(t, role, spec, problems);
      clusters.push({
        name: spec.name,
        role: role.role,
        hub: role.hub,
        description: spec.description,
        uses: spec.uses,
        connectedClusters: spec.connectedClusters,
        exposes: spec.exposes,
        ingressClassName: spec.ingressClassName,
        destination: role.hub ? t.gitops.inClusterName : spec.name,
        manifestsDir: manifestsDir(role.role, spec.name),
        apps,
        source: sourceOf(spec, sourceOf(role)),
      });
    }
  }

  // The declare step. The hub is missing only when a problem above says so; the checks
  // below still run so that every problem is reported at once.
  const bare: ResolvedTopology = { ...t, clusters, hub: clusters.find((c) => c.hub)! };
  const declared = clusters.map((cluster): Cluster => ({ ...cluster, apps: cluster.apps.map((e) => ({ ...e, declared: declare(problems, e.app, { topology: bare, cluster, values: e.values }) })) }));
  const resolved: ResolvedTopology = { ...t, clusters: declared, hub: declared.find((c) => c.hub)! };
  for (const cluster of declared) {
    // From what the role enables, so an app whose values failed above is not blamed twice.
    const role = t.roles.find((r) => r.role === cluster.role)!;
    const provided = new Set(role.apps.flatMap((b) => b.app.provides));
    if (cluster.exposes.length > 0 && !provided.has('certificates')) {
      problems.add({ file: cluster.source, object: `cluster "${cluster.name}"`, field: 'exposes', message: 'exposes services over TLS but no app on the cluster issues certificates', fix: 'enable the cert-manager app on its role' });
    }
    for (const { app, declared: d } of cluster.apps) {
      flowProblems(t, declared, cluster, app, d.flows, problems);
      d.namespaces.forEach((ns, i) => {
        if (!(ns in t.namespaces)) {
          problems.add({ file: sourceOf(app), object: `app "${app.name}" on cluster "${cluster.name}"`, field: `namespaces()[${i}]`, message: `unknown namespace "${ns}"`, fix: `declare it in ${sourceOf(t.namespaces)}` });
        }
      });
    }
  }
  problems.throwIfAny();
  return resolved;
}
