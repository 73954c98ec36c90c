import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadTopology, render } from '@kubevirt-ci/synth';
import type { ProvidedObject } from '@kubevirt-ci/topology';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyBundle, fieldManager, liveReader, requiredOn } from '../src/secrets/live.ts';
import { checkProvided, formatCheck, readBundle } from '../src/secrets/provided.ts';
import { startFakeApiServer, type FakeApiServer } from './fake-apiserver.ts';

const declared: ProvidedObject[] = [
  { kind: 'Secret', namespace: 'kubevirt-prow', name: 'hmac-token', keys: ['hmac'], description: 'the webhook secret' },
  { kind: 'Secret', namespace: 'kubevirt-prow', name: 'kubeconfig', keys: ['config'], description: "Prow's kubeconfig", contexts: ['ibm-prow-jobs', 'prow-workloads'] },
  { kind: 'ConfigMap', namespace: 'docker-proxy', name: 'mirror-proxy-config', keys: ['ca.crt'], description: "the proxy's CA certificate" },
  { kind: 'Secret', namespace: 'monitoring', name: 'alertmanager-slack', keys: ['webhook-url'], description: 'the Slack webhook' },
];

const kubeconfig = (contexts: string[]) => `apiVersion: v1\nkind: Config\ncontexts:\n${contexts.map((c) => `  - name: ${c}\n    context: {cluster: ${c}, user: ${c}}`).join('\n')}\n`;

function bundle(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'bundle-'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

let api: FakeApiServer;
beforeAll(async () => {
  api = await startFakeApiServer();
});
afterAll(() => api.close());

describe('secrets apply', () => {
  it('refuses a bundle that holds an undeclared object or key, or lacks a key, applying nothing', () => {
    const dir = bundle({ 'kubevirt-prow/hmac-token/hmac': 'h', 'kubevirt-prow/hmac-token/extra': 'x', 'kubevirt-prow/unknown/key': 'u', 'monitoring/alertmanager-slack/.keep': '' });
    expect(() => readBundle(dir, declared)).toThrow(
      `the bundle in ${dir} does not match what the cluster declares; nothing was applied:\n` +
        '  - kubevirt-prow/hmac-token: keys extra are not declared (it holds hmac)\n' +
        '  - kubevirt-prow/unknown: no app on this cluster declares it as provided; remove it from the bundle, or declare it in the app that uses it\n' +
        '  - monitoring/alertmanager-slack: lacks keys webhook-url',
    );
    rmSync(dir, { recursive: true });
  });

  it('applies the bundle server-side, says what it applied without values, and a second run changes nothing', async () => {
    const dir = bundle({
      'kubevirt-prow/hmac-token/hmac': 'very-secret-hmac',
      'kubevirt-prow/kubeconfig/config': kubeconfig(['ibm-prow-jobs']),
      'docker-proxy/mirror-proxy-config/ca.crt': '-----BEGIN CERTIFICATE-----\n',
    });
    const dry = await applyBundle(api.kubeConfig, dir, declared, true);
    expect(api.requests.filter((r) => r.startsWith('PATCH'))).toEqual([]);
    const lines = await applyBundle(api.kubeConfig, dir, declared, false);
    expect(dry.map((l) => l.replace('would apply', 'applied'))).toEqual(lines);
    expect(lines).toEqual([
      'applied  ConfigMap docker-proxy/mirror-proxy-config (ca.crt)',
      'applied  Secret kubevirt-prow/hmac-token (hmac)',
      'applied  Secret kubevirt-prow/kubeconfig (config)',
      'not in bundle  Secret monitoring/alertmanager-slack',
    ]);
    expect(lines.join('\n')).not.toContain('very-secret-hmac');
    expect(api.requests.filter((r) => r.startsWith('PATCH'))).toEqual([
      'PATCH /api/v1/namespaces/docker-proxy/configmaps/mirror-proxy-config',
      'PATCH /api/v1/namespaces/kubevirt-prow/secrets/hmac-token',
      'PATCH /api/v1/namespaces/kubevirt-prow/secrets/kubeconfig',
    ]);
    const hmac = api.objects.get('secrets/kubevirt-prow/hmac-token')!;
    expect([hmac['type'], hmac['data']]).toEqual(['Opaque', { hmac: Buffer.from('very-secret-hmac').toString('base64') }]);
    const before = new Map(api.objects);
    await applyBundle(api.kubeConfig, dir, declared, false);
    expect(api.objects).toEqual(before);
    expect(fieldManager).toBe('kubevirt-ci-secrets');
    rmSync(dir, { recursive: true });
  });
});

describe('secrets check', () => {
  it('lists what is in place, missing, lacking keys or lacking kubeconfig contexts, never a value', async () => {
    const rows = await checkProvided(declared, liveReader(api.kubeConfig));
    expect(rows.map((r) => [r.object.name, r.status])).toEqual([
      ['hmac-token', { state: 'ok' }],
      ['kubeconfig', { state: 'contexts', missing: ['prow-workloads'] }],
      ['mirror-proxy-config', { state: 'ok' }],
      ['alertmanager-slack', { state: 'missing' }],
    ]);
    const text = formatCheck(rows).join('\n');
    expect(text).toBe(
      [
        'ok        Secret kubevirt-prow/hmac-token (hmac)',
        'contexts  Secret kubevirt-prow/kubeconfig: its kubeconfig lacks context prow-workloads',
        'ok        ConfigMap docker-proxy/mirror-proxy-config (ca.crt)',
        'missing   Secret monitoring/alertmanager-slack: create it with webhook-url; the Slack webhook',
      ].join('\n'),
    );
    const lacking = await checkProvided([{ ...declared[0]!, keys: ['hmac', 'hmac-old'] }], liveReader(api.kubeConfig));
    expect(formatCheck(lacking)).toEqual(['keys      Secret kubevirt-prow/hmac-token: lacks hmac-old']);
  });

  it("checks against what the repository's manifests declare for a cluster", async () => {
    const required = await requiredOn('prow-workloads');
    expect(required.map((o) => `${o.kind} ${o.namespace}/${o.name}`)).toContain('Secret monitoring/thanos-grpc-tls');
    const clusters = render(await loadTopology()).clusters.map((rc) => rc.cluster.name);
    await expect(requiredOn('nowhere')).rejects.toThrow(`no cluster "nowhere" in the topology (there are: ${clusters.join(', ')})`);
  });
});
