import type { Finding } from './finding.ts';
import { refOf, type ParsedObject } from './parse.ts';

interface Removal {
  readonly apiVersion: string;
  /** Only these kinds; all kinds of the apiVersion when absent. */
  readonly kinds?: readonly string[];
  readonly removedIn: string;
  readonly use: string;
}

/** API versions Kubernetes has stopped serving, from its deprecation guide. */
export const removedApis: readonly Removal[] = [
  { apiVersion: 'extensions/v1beta1', kinds: ['Ingress'], removedIn: '1.22', use: 'networking.k8s.io/v1' },
  { apiVersion: 'extensions/v1beta1', removedIn: '1.16', use: 'apps/v1 (workloads) or networking.k8s.io/v1 (NetworkPolicy)' },
  { apiVersion: 'apps/v1beta1', removedIn: '1.16', use: 'apps/v1' },
  { apiVersion: 'apps/v1beta2', removedIn: '1.16', use: 'apps/v1' },
  { apiVersion: 'networking.k8s.io/v1beta1', removedIn: '1.22', use: 'networking.k8s.io/v1' },
  { apiVersion: 'admissionregistration.k8s.io/v1beta1', removedIn: '1.22', use: 'admissionregistration.k8s.io/v1' },
  { apiVersion: 'apiextensions.k8s.io/v1beta1', removedIn: '1.22', use: 'apiextensions.k8s.io/v1' },
  { apiVersion: 'apiregistration.k8s.io/v1beta1', removedIn: '1.22', use: 'apiregistration.k8s.io/v1' },
  { apiVersion: 'certificates.k8s.io/v1beta1', removedIn: '1.22', use: 'certificates.k8s.io/v1' },
  { apiVersion: 'coordination.k8s.io/v1beta1', removedIn: '1.22', use: 'coordination.k8s.io/v1' },
  { apiVersion: 'rbac.authorization.k8s.io/v1beta1', removedIn: '1.22', use: 'rbac.authorization.k8s.io/v1' },
  { apiVersion: 'scheduling.k8s.io/v1beta1', removedIn: '1.22', use: 'scheduling.k8s.io/v1' },
  { apiVersion: 'storage.k8s.io/v1beta1', kinds: ['CSIStorageCapacity'], removedIn: '1.27', use: 'storage.k8s.io/v1' },
  { apiVersion: 'storage.k8s.io/v1beta1', removedIn: '1.22', use: 'storage.k8s.io/v1' },
  { apiVersion: 'batch/v1beta1', removedIn: '1.25', use: 'batch/v1' },
  { apiVersion: 'discovery.k8s.io/v1beta1', removedIn: '1.25', use: 'discovery.k8s.io/v1' },
  { apiVersion: 'events.k8s.io/v1beta1', removedIn: '1.25', use: 'events.k8s.io/v1' },
  { apiVersion: 'autoscaling/v2beta1', removedIn: '1.25', use: 'autoscaling/v2' },
  { apiVersion: 'autoscaling/v2beta2', removedIn: '1.26', use: 'autoscaling/v2' },
  { apiVersion: 'policy/v1beta1', removedIn: '1.25', use: 'policy/v1 (PodSecurityPolicy is gone: use Pod Security Admission)' },
  { apiVersion: 'node.k8s.io/v1beta1', removedIn: '1.25', use: 'node.k8s.io/v1' },
  { apiVersion: 'flowcontrol.apiserver.k8s.io/v1beta1', removedIn: '1.26', use: 'flowcontrol.apiserver.k8s.io/v1' },
  { apiVersion: 'flowcontrol.apiserver.k8s.io/v1beta2', removedIn: '1.29', use: 'flowcontrol.apiserver.k8s.io/v1' },
  { apiVersion: 'flowcontrol.apiserver.k8s.io/v1beta3', removedIn: '1.32', use: 'flowcontrol.apiserver.k8s.io/v1' },
];

/** '1.33' or '1.33.2' -> 133, comparable as a number. */
function minor(version: string): number {
  const [major, min] = version.replace(/^v/, '').split('.').map(Number);
  return (major ?? 0) * 100 + (min ?? 0);
}

/** Objects whose apiVersion the target Kubernetes version no longer serves. */
export function checkRemovedApis(objects: readonly ParsedObject[], kubernetesVersion: string): Finding[] {
  const target = minor(kubernetesVersion);
  const findings: Finding[] = [];
  for (const o of objects) {
    const apiVersion = String(o.value['apiVersion']);
    const kind = String(o.value['kind']);
    const removal = removedApis.find((r) => r.apiVersion === apiVersion && (!r.kinds || r.kinds.includes(kind)));
    if (removal && minor(removal.removedIn) <= target) {
      findings.push({
        rule: 'cross/removed-api',
        severity: 'error',
        file: o.file,
        line: o.line,
        object: refOf(o.value),
        path: 'apiVersion',
        message: `${kind} ${apiVersion} was removed in Kubernetes ${removal.removedIn}; the target is ${kubernetesVersion}`,
        fix: `use ${removal.use}`,
      });
    }
  }
  return findings;
}
