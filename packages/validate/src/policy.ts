import type { Finding, Rule } from './finding.ts';
import { conventions, get, isObj, objectsIn, podTemplatePaths, splitImage, type Obj } from '@kubevirt-ci/kube/read';

const policyExceptionPrefix = conventions.annotations.policyExceptionPrefix;
import { refOf, type ParsedObject } from './parse.ts';


/** Exceptions are annotations on the object: `policy.ci.kubevirt.io/<rule>: <why>`. */
export const exceptionPrefix = policyExceptionPrefix;

/** Kinds whose pods run until stopped, and so need probes. */
const longRunning = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet']);

/** Every policy rule, its severity, and what to do; the id after 'policy/' is the exception name. */
export const policyRules: Readonly<Record<string, Rule>> = {
  resources: { severity: 'error', fix: 'set resources.requests.cpu, requests.memory and limits.memory (a CPU limit is optional: production throttled the docker proxy with one)' },
  probes: { severity: 'error', fix: 'add a readinessProbe and a livenessProbe on a port the container serves' },
  'non-root': { severity: 'error', fix: 'set securityContext.runAsNonRoot: true (pod or container), or add the exception with the reason' },
  'privilege-escalation': { severity: 'error', fix: 'set securityContext.allowPrivilegeEscalation: false on the container' },
  'read-only-root': { severity: 'warning', fix: 'set securityContext.readOnlyRootFilesystem: true and mount an emptyDir where it writes' },
  privileged: { severity: 'error', fix: 'drop privileged, or add the exception with the reason' },
  'host-path': { severity: 'error', fix: 'use a PersistentVolumeClaim, or add the exception with the reason' },
  'host-namespaces': { severity: 'error', fix: "drop hostNetwork, hostPID and hostIPC, or add the exception with the reason" },
  'image-pinned': { severity: 'error', fix: 'pin the image to a release tag or a digest, never latest' },
  'disruption-budget': { severity: 'error', fix: 'add a PodDisruptionBudget selecting these pods' },
  spread: { severity: 'error', fix: 'add topologySpreadConstraints (or pod anti-affinity) across nodes' },
  'secret-data': { severity: 'error', fix: 'never render Secret values; declare the Secret as provided outside git' },
  'duplicate-env': { severity: 'error', fix: 'set each environment variable once' },
  'exception-without-reason': { severity: 'error', fix: 'say why in the annotation value' },
  // The defaults of kube-linter, kube-score and Polaris we had no rule for.
  capabilities: { severity: 'error', fix: "drop ALL capabilities in the container's securityContext and add none, or add the exception with the reason" },
  'host-port': { severity: 'error', fix: 'reach the pod through a Service, or add the exception with the reason' },
  'secret-env': { severity: 'warning', fix: 'take the value from a Secret (valueFrom.secretKeyRef), not a literal in git' },
  sysctls: { severity: 'error', fix: 'set only the sysctls Kubernetes calls safe, or add the exception with the reason' },
  'budget-allows-none': { severity: 'error', fix: 'let at least one pod go (maxUnavailable of 1 or more, or minAvailable below the replicas); a node drain waits for ever otherwise' },
  'cronjob-deadline': { severity: 'warning', fix: 'set spec.startingDeadlineSeconds, so a run missed while the controller was down is skipped, not started late' },
  'rbac-wildcard': { severity: 'error', fix: 'name the API groups, resources and verbs instead of *' },
  'cluster-admin': { severity: 'error', fix: 'bind a role with only what the subject needs, or add the exception with the reason' },
  'identical-probes': { severity: 'warning', fix: 'let liveness ask only whether the process lives (a TCP connect, /healthz) and readiness whether it can serve; the same check restarts a pod that is only busy' },
  'automount-token': { severity: 'warning', fix: 'set automountServiceAccountToken: false, or give the pod a ServiceAccount of its own when it calls the API' },
};

/** The part of a probe that says what is asked: its handler, without the timing. */
function probeHandler(p: unknown): string | undefined {
  if (!isObj(p)) return undefined;
  const { httpGet, tcpSocket, exec, grpc } = p;
  return JSON.stringify({ httpGet, tcpSocket, exec, grpc });
}

/**
 * The sysctls Kubernetes calls safe, which every kubelet allows (pkg/kubelet/sysctl/safe_sysctls.go
 * at our Kubernetes pin; net.* ones are namespaced per pod).
 */
const safeSysctls = new Set([
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.ip_local_reserved_ports',
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
  'net.ipv4.tcp_rmem',
  'net.ipv4.tcp_wmem',
]);

/** An environment variable whose name says it holds a credential. */
const secretLooking = /(PASSWORD|PASSWD|TOKEN|SECRET|API_?KEY|PRIVATE_?KEY|CREDENTIALS?)$/i;

function selects(selector: Obj, labels: Obj): boolean {
  const keys = Object.keys(selector);
  return keys.length > 0 && keys.every((k) => labels[k] === selector[k]);
}

/**
 * Stage 6: policy on workloads: resources, probes, non-root, no privilege escalation,
 * read-only root where possible, no privileged, hostPath or host namespaces, pinned images, a disruption
 * budget and spread for anything with more than one replica, no Secret values, no duplicate
 * environment variables. An exception is an annotation naming the rule and saying why.
 */
export function checkPolicy(objects: readonly ParsedObject[]): Finding[] {
  const findings: Finding[] = [];
  const budgets = new Map<string, ParsedObject[]>();
  for (const o of objects) {
    if (o.value['kind'] !== 'PodDisruptionBudget') continue;
    const ns = refOf(o.value).namespace ?? '';
    budgets.set(ns, [...(budgets.get(ns) ?? []), o]);
  }

  for (const o of objects) {
    const annotations = (get(o.value, 'metadata', 'annotations') ?? {}) as Obj;
    const exceptions = new Set<string>();
    for (const [k, v] of Object.entries(annotations)) {
      if (!k.startsWith(exceptionPrefix)) continue;
      const rule = k.slice(exceptionPrefix.length);
      if (typeof v !== 'string' || v.trim() === '') {
        findings.push({ rule: 'policy/exception-without-reason', severity: 'error', file: o.file, line: o.line, object: refOf(o.value), path: `metadata.annotations.${k}`, message: `the exception for ${rule} gives no reason`, fix: policyRules['exception-without-reason']!.fix });
      } else exceptions.add(rule);
    }
    const report = (rule: string, path: string, message: string) => {
      if (exceptions.has(rule)) return;
      const r = policyRules[rule]!;
      findings.push({ rule: `policy/${rule}`, severity: r.severity, file: o.file, line: o.line, object: refOf(o.value), path, message, fix: r.fix });
    };

    const kind = String(o.value['kind']);
    if (kind === 'Secret' && (o.value['data'] !== undefined || o.value['stringData'] !== undefined)) {
      report('secret-data', o.value['data'] !== undefined ? 'data' : 'stringData', 'the Secret carries values, which would be in git');
    }
    if (kind === 'Role' || kind === 'ClusterRole') {
      objectsIn(o.value['rules']).forEach((r, i) => {
        const wild = (['apiGroups', 'resources', 'verbs', 'nonResourceURLs'] as const).filter((k) => Array.isArray(r[k]) && (r[k] as unknown[]).includes('*'));
        if (wild.length > 0) report('rbac-wildcard', `rules[${i}]`, `rule ${i} grants * in ${wild.join(', ')}`);
      });
    }
    if ((kind === 'RoleBinding' || kind === 'ClusterRoleBinding') && get(o.value, 'roleRef', 'kind') === 'ClusterRole' && get(o.value, 'roleRef', 'name') === 'cluster-admin') {
      report('cluster-admin', 'roleRef', `binds cluster-admin${kind === 'RoleBinding' ? ' in its namespace' : ' cluster-wide'}`);
    }
    if (kind === 'PodDisruptionBudget') {
      const max = get(o.value, 'spec', 'maxUnavailable');
      const min = get(o.value, 'spec', 'minAvailable');
      if (max === 0 || max === '0%' || min === '100%') report('budget-allows-none', max !== undefined ? 'spec.maxUnavailable' : 'spec.minAvailable', 'the budget lets no pod be evicted');
      else if (typeof min === 'number') {
        // minAvailable as many as the workload it selects runs: none may go.
        const selector = (get(o.value, 'spec', 'selector', 'matchLabels') ?? {}) as Obj;
        const ns = refOf(o.value).namespace;
        for (const w of objects) {
          const path = podTemplatePaths[String(w.value['kind'])];
          const replicas = get(w.value, 'spec', 'replicas') ?? 1;
          if (!path?.length || refOf(w.value).namespace !== ns || typeof replicas !== 'number') continue;
          if (selects(selector, (get(w.value, ...path, 'metadata', 'labels') ?? {}) as Obj) && min >= replicas) {
            report('budget-allows-none', 'spec.minAvailable', `minAvailable ${min} of ${String(w.value['kind'])} ${refOf(w.value).name}'s ${replicas} replicas lets no pod be evicted`);
          }
        }
      }
    }
    if (kind === 'CronJob' && get(o.value, 'spec', 'startingDeadlineSeconds') === undefined) report('cronjob-deadline', 'spec.startingDeadlineSeconds', 'a run missed while the controller was down starts whenever it comes back');
    const tmplPath = podTemplatePaths[kind];
    if (!tmplPath) continue;
    const tmpl = tmplPath.length ? get(o.value, ...tmplPath) : o.value;
    const spec = get(tmpl, 'spec');
    if (!isObj(spec)) continue;
    const at = `${tmplPath.length ? `${tmplPath.join('.')}.` : ''}spec`;
    const podSecurity = (spec['securityContext'] ?? {}) as Obj;

    for (const [group, list] of [['initContainers', objectsIn(spec['initContainers'])], ['containers', objectsIn(spec['containers'])]] as const) {
      list.forEach((c, i) => {
        const cat = `${at}.${group}[${i}]`;
        const sc = (c['securityContext'] ?? {}) as Obj;
        const res = (c['resources'] ?? {}) as Obj;
        const missing = [['requests', 'cpu'], ['requests', 'memory'], ['limits', 'memory']].filter(([a, b]) => get(res, a!, b!) === undefined).map(([a, b]) => `${a}.${b}`);
        if (missing.length > 0) report('resources', `${cat}.resources`, `container ${c['name']} sets no ${missing.join(', ')}`);
        if (group === 'containers' && longRunning.has(kind)) {
          const absent = ['readinessProbe', 'livenessProbe'].filter((p) => c[p] === undefined);
          if (absent.length > 0) report('probes', cat, `container ${c['name']} has no ${absent.join(' or ')}`);
          else if (probeHandler(c['livenessProbe']) === probeHandler(c['readinessProbe'])) report('identical-probes', `${cat}.livenessProbe`, `container ${c['name']}'s liveness probe asks the same as its readiness probe`);
        }
        const nonRoot = sc['runAsNonRoot'] ?? podSecurity['runAsNonRoot'];
        const user = sc['runAsUser'] ?? podSecurity['runAsUser'];
        if (nonRoot !== true && !(typeof user === 'number' && user > 0)) report('non-root', `${cat}.securityContext.runAsNonRoot`, `container ${c['name']} may run as root`);
        if (sc['allowPrivilegeEscalation'] !== false) report('privilege-escalation', `${cat}.securityContext.allowPrivilegeEscalation`, `container ${c['name']} does not forbid privilege escalation`);
        if (sc['readOnlyRootFilesystem'] !== true) report('read-only-root', `${cat}.securityContext.readOnlyRootFilesystem`, `container ${c['name']} can write its root filesystem`);
        if (sc['privileged'] === true) report('privileged', `${cat}.securityContext.privileged`, `container ${c['name']} is privileged`);
        const caps = (sc['capabilities'] ?? {}) as Obj;
        const added = Array.isArray(caps['add']) ? caps['add'] : [];
        if (!(Array.isArray(caps['drop']) && caps['drop'].includes('ALL')) || added.length > 0) {
          report('capabilities', `${cat}.securityContext.capabilities`, added.length > 0 ? `container ${c['name']} adds ${added.join(', ')}` : `container ${c['name']} keeps the runtime's default capabilities (it does not drop ALL)`);
        }
        objectsIn(c['ports']).forEach((p, j) => {
          if (p['hostPort'] !== undefined) report('host-port', `${cat}.ports[${j}].hostPort`, `container ${c['name']} takes port ${String(p['hostPort'])} on the node`);
        });
        objectsIn(c['env']).forEach((e, j) => {
          if (typeof e['value'] === 'string' && e['value'] !== '' && secretLooking.test(String(e['name']))) report('secret-env', `${cat}.env[${j}].value`, `${String(e['name'])} of container ${c['name']} is a literal in git`);
        });
        const image = typeof c['image'] === 'string' ? c['image'] : '';
        const [, version] = splitImage(image);
        if (version === '(no tag)' || version === 'latest') report('image-pinned', `${cat}.image`, `image "${image}" is ${version === 'latest' ? 'latest' : 'not pinned to a tag'}`);
        const seen = new Set<string>();
        objectsIn(c['env']).forEach((e, j) => {
          const name = String(e['name']);
          if (seen.has(name)) report('duplicate-env', `${cat}.env[${j}]`, `${name} is set twice in container ${c['name']}`);
          seen.add(name);
        });
      });
    }
    const account = spec['serviceAccountName'] ?? spec['serviceAccount'];
    if ((account === undefined || account === 'default') && spec['automountServiceAccountToken'] !== false) {
      report('automount-token', `${at}.automountServiceAccountToken`, "the pod gets the default ServiceAccount's token, though it names no account of its own to call the API as");
    }
    objectsIn(podSecurity['sysctls']).forEach((s, i) => {
      if (!safeSysctls.has(String(s['name']))) report('sysctls', `${at}.securityContext.sysctls[${i}]`, `sysctl ${String(s['name'])} is not one Kubernetes calls safe`);
    });
    for (const field of ['hostNetwork', 'hostPID', 'hostIPC']) {
      if (spec[field] === true) report('host-namespaces', `${at}.${field}`, `the pod shares the node's ${field.slice(4) === 'Network' ? 'network' : field.slice(4)} namespace`);
    }
    objectsIn(spec['volumes']).forEach((v, i) => {
      if (v['hostPath'] !== undefined) report('host-path', `${at}.volumes[${i}].hostPath`, `volume ${v['name']} mounts ${String(get(v, 'hostPath', 'path'))} from the node`);
    });

    const replicas = get(o.value, 'spec', 'replicas');
    if (typeof replicas === 'number' && replicas > 1) {
      const labels = (get(tmpl, 'metadata', 'labels') ?? {}) as Obj;
      const ns = refOf(o.value).namespace;
      const covered = (budgets.get(ns ?? '') ?? []).some((b) => selects((get(b.value, 'spec', 'selector', 'matchLabels') ?? {}) as Obj, labels));
      if (!covered) report('disruption-budget', 'spec.replicas', `${replicas} replicas and no PodDisruptionBudget selects them`);
      if (spec['topologySpreadConstraints'] === undefined && get(spec, 'affinity', 'podAntiAffinity') === undefined) report('spread', `${at}.topologySpreadConstraints`, `${replicas} replicas may all land on one node`);
    }
  }
  return findings;
}
