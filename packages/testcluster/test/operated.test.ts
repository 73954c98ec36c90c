import { imageTag, versions } from '@kubevirt-ci/topology';
import { parseManifests } from '@kubevirt-ci/validate';
import { describe, expect, it } from 'vitest';
import { checkOperated, type Placeholder } from '../src/index.ts';

const ns = 'apiVersion: v1\nkind: Namespace\nmetadata: {name: monitoring}\n';

/** Our Prometheus as apps/prometheus renders it, cut to what the operator needs. */
function prometheus(thanosMounts: boolean, extraArgs = '') {
  return `apiVersion: monitoring.coreos.com/v1
kind: Prometheus
metadata: {name: main, namespace: monitoring}
spec:
  image: ${versions.prometheus}
  version: ${imageTag(versions.prometheus)}
  secrets: [thanos-grpc-tls]
  serviceMonitorSelector: {}
  ${extraArgs}
  thanos:
    image: ${versions.thanos}
    version: ${imageTag(versions.thanos)}
    objectStorageConfig: {name: thanos-objstore, key: objstore.yml}
    grpcServerTlsConfig:
      caFile: /etc/prometheus/secrets/thanos-grpc-tls/ca.crt
      certFile: /etc/prometheus/secrets/thanos-grpc-tls/tls.crt
      keyFile: /etc/prometheus/secrets/thanos-grpc-tls/tls.key
${thanosMounts ? '    volumeMounts: [{name: secret-thanos-grpc-tls, mountPath: /etc/prometheus/secrets/thanos-grpc-tls}]\n' : ''}`;
}

const secrets: Placeholder[] = [
  { kind: 'Secret', namespace: 'monitoring', name: 'thanos-grpc-tls', keys: ['ca.crt', 'tls.crt', 'tls.key'] },
  { kind: 'Secret', namespace: 'monitoring', name: 'prometheus-remote-write-tls', keys: ['tls.crt', 'tls.key', 'ca.crt'] },
  { kind: 'Secret', namespace: 'monitoring', name: 'thanos-objstore', keys: ['objstore.yml'] },
  { kind: 'Secret', namespace: 'monitoring', name: 'alertmanager-slack', keys: ['webhook-url'] },
];

async function judge(...docs: string[]) {
  const objects = parseManifests('monitoring.yaml', docs.join('---\n')).objects;
  const r = await checkOperated(objects, () => 'hub', { placeholders: () => secrets, progress: () => undefined });
  return { findings: r.findings.map((f) => `${f.rule} ${f.object?.kind} ${f.path}: ${f.message}`), notes: r.notes };
}

describe('what the pinned prometheus-operator makes of our Prometheus', () => {
  it("catches the Thanos sidecar reading TLS files from a Secret only Prometheus's container mounts (the defect before issue 16)", async () => {
    const sidecar = '(StatefulSet prometheus-main the operator makes of it) spec.template.spec.containers[name=thanos-sidecar].args';
    const files = (f: string, file: string) =>
      `flags/unmounted-path Prometheus ${sidecar}: --grpc-server-tls-${f}=/etc/prometheus/secrets/thanos-grpc-tls/${file}: no volume mount of container thanos-sidecar holds /etc/prometheus/secrets/thanos-grpc-tls/${file} (it mounts /prometheus, /etc/thanos/config), so thanos would not find it`;
    expect(await judge(ns, prometheus(false))).toEqual({ findings: [files('cert', 'tls.crt'), files('key', 'tls.key'), files('client-ca', 'ca.crt')], notes: [] });
  });

  it('accepts it with the mount we render, and refuses a flag the pinned Prometheus does not define', async () => {
    expect(await judge(ns, prometheus(true))).toEqual({ findings: [], notes: [] });
    const r = await judge(ns, prometheus(true, 'additionalArgs: [{name: storage.tsdb.no-such-flag, value: "1"}]'));
    expect(r.findings).toEqual([
      `flags/refused Prometheus (StatefulSet prometheus-main the operator makes of it) spec.template.spec.containers[name=prometheus].args: prometheus ${imageTag(versions.prometheus)} refuses its command line: Error parsing command line arguments: unknown long flag '--storage.tsdb.no-such-flag'`,
    ]);
  });
});

describe("what it makes of a workloads cluster's Prometheus, which remote-writes to the hub", () => {
  const writer = `apiVersion: monitoring.coreos.com/v1
kind: Prometheus
metadata: {name: main, namespace: monitoring}
spec:
  image: ${versions.prometheus}
  version: ${imageTag(versions.prometheus)}
  serviceMonitorSelector: {}
  hostAliases: [{ip: 192.0.2.10, hostnames: [thanos-receive.ci.kubevirt.io]}]
  remoteWrite:
    - name: hub
      url: https://thanos-receive.ci.kubevirt.io/api/v1/receive
      tlsConfig:
        cert: {secret: {name: prometheus-remote-write-tls, key: tls.crt}}
        keySecret: {name: prometheus-remote-write-tls, key: tls.key}
        ca: {secret: {name: prometheus-remote-write-tls, key: ca.crt}}
`;

  it('builds its TLS assets from the provided certificate (PEM placeholders) into a configuration promtool accepts', async () => {
    expect(await judge(ns, writer)).toEqual({ findings: [], notes: [] });
  });
});

describe('what it makes of our Alertmanager', () => {
  const alertmanager = (extra = '') => `apiVersion: monitoring.coreos.com/v1
kind: Alertmanager
metadata: {name: main, namespace: monitoring}
spec:
  image: ${versions.alertmanager}
  version: ${imageTag(versions.alertmanager)}
  alertmanagerConfiguration: {name: slack}
  ${extra}
`;
  const slack = `apiVersion: monitoring.coreos.com/v1alpha1
kind: AlertmanagerConfig
metadata: {name: slack, namespace: monitoring}
spec:
  receivers: [{name: slack, slackConfigs: [{apiURL: {name: alertmanager-slack, key: webhook-url}, sendResolved: true}]}]
  route: {receiver: slack, groupBy: [alertname]}
`;

  it('is a configuration amtool accepts and a command line Alertmanager parses; a flag it lacks is refused', async () => {
    expect(await judge(ns, alertmanager(), slack)).toEqual({ findings: [], notes: [] });
    const r = await judge(ns, alertmanager('additionalArgs: [{name: cluster.no-such-flag}]'), slack);
    expect(r.findings).toEqual([
      `flags/refused Alertmanager (StatefulSet alertmanager-main the operator makes of it) spec.template.spec.containers[name=alertmanager].args: alertmanager ${imageTag(versions.alertmanager)} refuses its command line: alertmanager: error: unknown long flag '--cluster.no-such-flag', try --help`,
    ]);
  });
});
