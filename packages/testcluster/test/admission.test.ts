import { parseManifests } from '@kubevirt-ci/validate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admit, startCluster, type TestCluster } from '../src/index.ts';

// One real API server for the file: every case below is a dry run, or a namespace or
// ServiceAccount of a name no other case uses.
let cluster: TestCluster;
beforeAll(async () => {
  cluster = await startCluster({ name: 'admission', progress: () => undefined });
});
afterAll(() => cluster?.stop());

const restricted = (name: string) => `apiVersion: v1
kind: Namespace
metadata:
  name: ${name}
  labels: {pod-security.kubernetes.io/enforce: restricted, pod-security.kubernetes.io/warn: restricted}
`;

const deployment = (ns: string, container: string) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: ${ns}}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [${container}]
`;

const safe = '{name: web, image: "web:1", securityContext: {allowPrivilegeEscalation: false, runAsNonRoot: true, capabilities: {drop: [ALL]}, seccompProfile: {type: RuntimeDefault}}}';

async function judge(...docs: string[]) {
  const objects = parseManifests('case.yaml', docs.join('---\n')).objects;
  const r = await admit(cluster.admin, objects, { crds: [] });
  return { admitted: r.admitted, findings: r.findings.map((f) => `${f.rule} ${f.object?.kind} ${f.path}: ${f.message}`), notes: r.notes };
}

describe('the pinned kube-apiserver judging objects', () => {
  it('admits a pod template that meets its namespace level, and a StatefulSet whose claim template makes the volume it mounts', async () => {
    const sts = `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: index, namespace: ok}
spec:
  serviceName: index
  selector: {matchLabels: {app: index}}
  template:
    metadata: {labels: {app: index}}
    spec:
      containers: [{name: index, image: "index:1", volumeMounts: [{name: data, mountPath: /data}], securityContext: {allowPrivilegeEscalation: false, runAsNonRoot: true, capabilities: {drop: [ALL]}, seccompProfile: {type: RuntimeDefault}}}]
  volumeClaimTemplates: [{metadata: {name: data}, spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}}]
`;
    expect(await judge(restricted('ok'), deployment('ok', safe), sts)).toEqual({ admitted: 2, findings: [], notes: [] });
  });

  it('refuses, as PodSecurity enforces it on the pods, a template its namespace level forbids', async () => {
    const r = await judge(restricted('strict'), deployment('strict', '{name: web, image: "web:1", securityContext: {privileged: true}}'));
    expect(r.admitted).toBe(1);
    expect(r.findings).toEqual([
      'apiserver/pod-security Deployment spec.template.spec: kube-apiserver refuses the pods of this template (403): pods "deployment-web" is forbidden: violates PodSecurity "restricted:latest": privileged (container "web" must not set securityContext.privileged=true), allowPrivilegeEscalation != false (container "web" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container "web" must set securityContext.capabilities.drop=["ALL"]), runAsNonRoot != true (pod or container "web" must set securityContext.runAsNonRoot=true), seccompProfile (pod or container "web" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")',
    ]);
  });

  it('refuses a field the API does not define, by strict field validation', async () => {
    const r = await judge(restricted('typo'), deployment('typo', '{name: web, image: "web:1", imagePullPolice: Always}'));
    // Server-side apply answers 500 to it: the patch cannot be typed.
    expect(r.findings).toEqual([
      'apiserver/refused Deployment spec.template.spec.containers[name="web"].imagePullPolice: kube-apiserver refuses it (500): failed to create typed patch object (typo/web; apps/v1, Kind=Deployment): .spec.template.spec.containers[name="web"].imagePullPolice: field not declared in schema',
    ]);
  });

  it('reports what the server warns of, what it finds invalid, and a kind it does not serve', async () => {
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'widgets.example.com' },
      spec: { group: 'example.com', scope: 'Namespaced', names: { plural: 'widgets', singular: 'widget', kind: 'Widget' }, versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }] },
    };
    const objects = parseManifests(
      'case.yaml',
      [
        // Argo CD's bare resources finalizer drew this warning on every Application.
        'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w, namespace: default, finalizers: [cleanup.example.com]}\n',
        'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: d, namespace: default, finalizers: [example]}\n',
        'apiVersion: example.com/v1\nkind: Gadget\nmetadata: {name: g, namespace: default}\n',
      ].join('---\n'),
    ).objects;
    const r = await admit(cluster.admin, objects, { crds: [crd] });
    expect(r.findings.map((f) => `${f.rule} ${f.object?.kind} ${f.path}: ${f.message}`)).toEqual([
      'apiserver/warning Widget : kube-apiserver warns: metadata.finalizers: "cleanup.example.com": prefer a domain-qualified finalizer name including a path (/) to avoid accidental conflicts with other finalizer writers',
      'apiserver/refused ConfigMap metadata.finalizers[0]: kube-apiserver refuses it (422): ConfigMap "d" is invalid: metadata.finalizers[0]: Invalid value: "example": name is neither a standard finalizer name nor is it fully qualified',
      'apiserver/unserved Gadget kind: the pinned kube-apiserver with the pinned CRDs serves no Gadget in example.com/v1',
    ]);
  });

  it('creates the namespaces the objects use but do not declare, and says so', async () => {
    expect(await judge('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: elsewhere}\n')).toEqual({
      admitted: 1,
      findings: [],
      notes: ['apiserver: namespaces these files use but do not render, created without Pod Security labels: elsewhere'],
    });
  });

  it('judges a namespaced object without a namespace in default, as kubectl apply places it (project-infra\'s ServiceMonitors crashed the stage)', async () => {
    expect(
      await judge(
        'apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: unplaced}\n',
        deployment('', safe).replace(', namespace: }', '}'),
        'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: unplaced}\ndata: {a: 1}\n',
      ),
    ).toEqual({
      admitted: 2,
      findings: ['apiserver/refused ConfigMap : kube-apiserver refuses it (500): failed to create typed patch object (default/unplaced; /v1, Kind=ConfigMap): .data.a: expected string, got &value.valueUnstructured{Value:1}'],
      notes: [],
    });
  });

  it('notes a namespace the objects use that the server will not create, and refuses what is in it', async () => {
    const r = await judge('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: Not_A_Name}\n');
    expect(r.admitted).toBe(0);
    expect(r.notes).toHaveLength(1);
    expect(r.notes[0]).toMatch(/^apiserver: the namespace Not_A_Name that these files use could not be created \(Namespace "Not_A_Name" is invalid: .*\); their objects in it are refused$/);
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]).toMatch(/^apiserver\/refused ConfigMap /);
  });
});
