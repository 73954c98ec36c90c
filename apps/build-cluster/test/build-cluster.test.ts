import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { render } from '@kubevirt-ci/synth';
import { clusterOf, clusterSpec, objectsOf } from '@kubevirt-ci/synth/testing';
import { defineRole, defineTopology, enable, nothingDeclared } from '@kubevirt-ci/topology';
import { describe, expect, it } from 'vitest';
import { app, cleanupScript, stuckPodMinutes } from '../src/index.ts';

const rendered = render(
  defineTopology({ apps: [app], roles: [defineRole({ role: 'builds', description: 'b', hub: true, apps: [enable(app)], clusters: [clusterSpec('builds-1')] })] }),
);
const objects = objectsOf(rendered, 'builds-1', 'build-cluster') as any[];
const find = (kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name);

describe('a build cluster', () => {
  it('lets Prow in as prow-control-plane, admin of the jobs namespace and nothing else', () => {
    expect(find('RoleBinding', 'prow-control-plane-admin')).toMatchObject({
      metadata: { namespace: 'kubevirt-prow-jobs' },
      roleRef: { kind: 'ClusterRole', name: 'admin' },
      subjects: [{ kind: 'ServiceAccount', name: 'prow-control-plane', namespace: 'kubevirt-prow-jobs' }],
    });
    expect(objects.filter((o) => o.kind === 'ClusterRoleBinding')).toEqual([]);
    // A token Secret with no values: Kubernetes fills it in, bootstrap reads it.
    const token = find('Secret', 'prow-control-plane-token');
    expect([token.type, token.metadata.annotations, token.data]).toEqual(['kubernetes.io/service-account-token', { 'kubernetes.io/service-account.name': 'prow-control-plane' }, undefined]);
  });

  it('tells other apps how long a pod may be stuck before cleanup, from its values or its default where it is not enabled', () => {
    expect([stuckPodMinutes(rendered.topology.hub), stuckPodMinutes({ apps: [] })]).toEqual([360, 360]);
    expect(stuckPodMinutes({ apps: [{ app, values: { cleanup: { stuckForMinutes: 90 } }, declared: nothingDeclared }] })).toBe(90);
  });

  it("gives a test container that requests nothing production's defaults, in the jobs namespace", () => {
    const limits = objects.filter((o: { kind: string }) => o.kind === 'LimitRange');
    expect(limits.map((l: any) => [l.metadata.namespace, l.metadata.name, l.spec])).toEqual([['kubevirt-prow-jobs', 'mem-limit-range', { limits: [{ type: 'Container', defaultRequest: { cpu: '100m', memory: '1Gi' } }] }]]);
  });

  it('cleans up stuck pods hourly with a role that can only list and delete pods', () => {
    expect(find('Role', 'terminating-pod-cleanup').rules).toEqual([{ apiGroups: [''], resources: ['pods'], verbs: ['list', 'delete'] }]);
    const cron = find('CronJob', 'terminating-pod-cleanup');
    expect([cron.spec.schedule, cron.spec.concurrencyPolicy]).toEqual(['17 * * * *', 'Forbid']);
    const pod = cron.spec.jobTemplate.spec.template.spec;
    expect([pod.serviceAccountName, pod.securityContext.runAsNonRoot, pod.containers[0].command[2]]).toEqual(['terminating-pod-cleanup', true, cleanupScript('kubevirt-prow-jobs', 360)]);
  });

  it('offers a kubeconfig preset per external KubeVirtCI cluster and declares the Secrets it and the pod utilities need', () => {
    const rc = clusterOf(rendered, 'builds-1');
    expect(rc.presets.map((p) => [p.preset.label, p.preset.env, p.preset.volumes])).toEqual([
      [
        'preset-kubevirtci-arm-kubeconfig',
        [{ name: 'KUBEVIRT_PROVIDER', value: 'external' }, { name: 'KUBECONFIG', value: '/etc/kubevirtci/arm/kubeconfig' }],
        [{ name: 'kubevirtci-arm-kubeconfig', secret: { secretName: 'kubevirtci-arm-kubeconfig', defaultMode: 0o400 } }],
      ],
      [
        'preset-kubevirtci-performance-kubeconfig',
        [{ name: 'KUBEVIRT_PROVIDER', value: 'external' }, { name: 'KUBECONFIG', value: '/etc/kubevirtci/performance/kubeconfig' }],
        [{ name: 'kubevirtci-performance-kubeconfig', secret: { secretName: 'kubevirtci-performance-kubeconfig', defaultMode: 0o400 } }],
      ],
    ]);
    expect(rc.provided.map((p) => `${p.namespace}/${p.name}: ${p.keys.join(',')}`)).toEqual([
      'kubevirt-prow-jobs/gcs-credentials: service-account.json',
      'kubevirt-prow-jobs/kubevirtci-arm-kubeconfig: kubeconfig',
      'kubevirt-prow-jobs/kubevirtci-performance-kubeconfig: kubeconfig',
    ]);
  });
});

describe('the cleanup script', () => {
  it('force-deletes only the pods Terminating for longer than the limit', () => {
    // A stand-in kubectl: lists three pods, records what it is asked to delete.
    const dir = mkdtempSync(join(tmpdir(), 'cleanup-'));
    const now = Date.now();
    const ago = (minutes: number) => new Date(now - minutes * 60_000).toISOString().replace(/\.\d+Z$/, 'Z');
    writeFileSync(
      join(dir, 'kubectl'),
      [
        '#!/bin/sh',
        'case "$1" in',
        `  get) printf 'stuck-for-days ${ago(3 * 24 * 60)}\\nstuck-for-7h ${ago(7 * 60)}\\njust-deleted ${ago(5)}\\n' ;;`,
        `  delete) echo "$@" >> ${dir}/deleted ;;`,
        'esac',
      ].join('\n'),
    );
    chmodSync(join(dir, 'kubectl'), 0o755);
    execFileSync('/bin/sh', ['-c', cleanupScript('kubevirt-prow-jobs', 360)], { env: { ...process.env, PATH: `${dir}:${process.env['PATH']}` } });
    expect(readFileSync(join(dir, 'deleted'), 'utf8')).toBe('delete pod --namespace=kubevirt-prow-jobs --force --grace-period=0 --request-timeout=60s stuck-for-days stuck-for-7h\n');
  });
});
