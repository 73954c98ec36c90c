import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadTopology, render } from '@kubevirt-ci/synth';
import { startCluster, type TestCluster } from '@kubevirt-ci/testcluster';
import type { ProvidedObject } from '@kubevirt-ci/topology';
import type { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadKubeConfig } from '../src/lib/kubeconfig.ts';
import { applyBundle, fieldManager, liveReader, requiredOn } from '../src/secrets/live.ts';
import { checkProvided, formatCheck, readBundle } from '../src/secrets/provided.ts';

const declared: ProvidedObject[] = [
  { kind: 'Secret', namespace: 'kubevirt-prow', name: 'hmac-token', keys: ['hmac'], description: 'the webhook secret' },
  { kind: 'Secret', namespace: 'kubevirt-prow', name: 'kubeconfig', keys: ['config'], description: "Prow's kubeconfig", contexts: ['ibm-prow-jobs', 'prow-workloads'] },
  { kind: 'ConfigMap', namespace: 'docker-proxy', name: 'mirror-proxy-config', keys: ['ca.crt'], description: "the proxy's CA certificate" },
  { kind: 'Secret', namespace: 'monitoring', name: 'alertmanager-slack', keys: ['webhook-url'], description: 'the Slack webhook' },
];

const kubeconfig = (contexts: string[]) => `apiVersion: v1\nkind: Config\ncontexts:\n${contexts.map((c) => `  - name: ${c}\n    context: {cluster: ${c}, user: ${c}}`).join('\n')}\n`;

/** 70 bytes no UTF-8 decoder keeps: every byte value from 0x80 up, then some from 0. */
const binary = Buffer.from([...Array.from({ length: 64 }, (_, i) => 0x80 + i), 0, 1, 2, 0xfe, 0xff, 0xc0]);

function bundle(files: Record<string, string | Buffer>): string {
  const dir = mkdtempSync(join(tmpdir(), 'bundle-'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

// A real API server (packages/testcluster): what it stores, and how, is the server's own.
let cluster: TestCluster;
let kc: KubeConfig;
beforeAll(async () => {
  cluster = await startCluster({ name: 'secrets', progress: () => undefined });
  for (const name of ['kubevirt-prow', 'docker-proxy', 'monitoring']) await cluster.admin.json('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  kc = loadKubeConfig('secrets', cluster.kubeconfig);
});
afterAll(() => cluster?.stop());

const get = async (path: string) => {
  const r = await cluster.admin.json<{ data?: Record<string, string>; binaryData?: Record<string, string>; type?: string; metadata: { resourceVersion: string; managedFields?: { manager: string }[] } }>('GET', path);
  return r.status === 200 ? r.value : undefined;
};

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

  it('refuses a symlink out of the bundle, a directory for a key, and an empty value unless it is meant', () => {
    const outside = mkdtempSync(join(tmpdir(), 'outside-'));
    writeFileSync(join(outside, 'id_rsa'), 'not for the cluster');
    const dir = bundle({ 'kubevirt-prow/kubeconfig/config/inner': 'x', 'monitoring/alertmanager-slack/webhook-url': '', 'docker-proxy/mirror-proxy-config/.real': 'ca' });
    mkdirSync(join(dir, 'kubevirt-prow/hmac-token'));
    symlinkSync(join(outside, 'id_rsa'), join(dir, 'kubevirt-prow/hmac-token/hmac'));
    // A symlink within the bundle is fine.
    symlinkSync(join(dir, 'docker-proxy/mirror-proxy-config/.real'), join(dir, 'docker-proxy/mirror-proxy-config/ca.crt'));
    try {
      expect(() => readBundle(dir, declared)).toThrow(
        `the bundle in ${dir} does not match what the cluster declares; nothing was applied:\n` +
          `  - kubevirt-prow/hmac-token/hmac: a symlink to ${join(outside, 'id_rsa')}, outside the bundle; put the file itself in the bundle\n` +
          "  - kubevirt-prow/kubeconfig/config: a directory where the key's file belongs; a key is one file holding its value\n" +
          '  - monitoring/alertmanager-slack/webhook-url: empty; put the value in the file, or pass --allow-empty if an empty value is intended',
      );
      rmSync(join(dir, 'kubevirt-prow'), { recursive: true });
      const read = readBundle(dir, declared, { allowEmpty: true });
      expect(read.map((b) => [b.object.name, Object.fromEntries(Object.entries(b.data).map(([k, v]) => [k, v.toString()]))])).toEqual([
        ['mirror-proxy-config', { 'ca.crt': 'ca' }],
        ['alertmanager-slack', { 'webhook-url': '' }],
      ]);
    } finally {
      rmSync(dir, { recursive: true });
      rmSync(outside, { recursive: true });
    }
  });

  it('applies the bundle server-side, byte for byte, says what it applied without values, and a second run changes nothing', async () => {
    const dir = bundle({
      'kubevirt-prow/hmac-token/hmac': 'very-secret-hmac',
      'kubevirt-prow/kubeconfig/config': kubeconfig(['ibm-prow-jobs']),
      'docker-proxy/mirror-proxy-config/ca.crt': binary,
    });
    const dry = await applyBundle(kc, dir, declared, true);
    expect(await get('/api/v1/namespaces/kubevirt-prow/secrets/hmac-token')).toBeUndefined();
    const lines = await applyBundle(kc, dir, declared, false);
    expect(dry.map((l) => l.replace('would apply', 'applied'))).toEqual(lines);
    expect(lines).toEqual([
      'applied  ConfigMap docker-proxy/mirror-proxy-config (ca.crt)',
      'applied  Secret kubevirt-prow/hmac-token (hmac)',
      'applied  Secret kubevirt-prow/kubeconfig (config)',
      'not in bundle  Secret monitoring/alertmanager-slack',
    ]);
    expect(lines.join('\n')).not.toContain('very-secret-hmac');
    const hmac = (await get('/api/v1/namespaces/kubevirt-prow/secrets/hmac-token'))!;
    expect([hmac.type, hmac.data, hmac.metadata.managedFields?.map((m) => m.manager)]).toEqual(['Opaque', { hmac: Buffer.from('very-secret-hmac').toString('base64') }, [fieldManager]]);
    // Binary bytes land in binaryData, all 70 of them.
    const cm = (await get('/api/v1/namespaces/docker-proxy/configmaps/mirror-proxy-config'))!;
    expect([cm.data ?? {}, Buffer.from(cm.binaryData!['ca.crt']!, 'base64').equals(binary)]).toEqual([{}, true]);
    const versions = async () => Promise.all(['kubevirt-prow/secrets/hmac-token', 'kubevirt-prow/secrets/kubeconfig', 'docker-proxy/configmaps/mirror-proxy-config'].map(async (p) => (await get(`/api/v1/namespaces/${p}`))!.metadata.resourceVersion));
    const before = await versions();
    await applyBundle(kc, dir, declared, false);
    expect(await versions()).toEqual(before);
    rmSync(dir, { recursive: true });
  });
});

describe('secrets check', () => {
  it('lists what is in place, missing, lacking keys or lacking kubeconfig contexts, never a value', async () => {
    const rows = await checkProvided(declared, liveReader(kc));
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
    const lacking = await checkProvided([{ ...declared[0]!, keys: ['hmac', 'hmac-old'] }], liveReader(kc));
    expect(formatCheck(lacking)).toEqual(['keys      Secret kubevirt-prow/hmac-token: lacks hmac-old']);
  });

  it('compares each value with the bundle byte for byte, when given it', async () => {
    const same = bundle({ 'kubevirt-prow/hmac-token/hmac': 'very-secret-hmac', 'docker-proxy/mirror-proxy-config/ca.crt': binary });
    const other = bundle({ 'kubevirt-prow/hmac-token/hmac': 'very-secret-hmac', 'docker-proxy/mirror-proxy-config/ca.crt': Buffer.concat([binary.subarray(0, 69), Buffer.from([0x00])]) });
    try {
      const objects = [declared[0]!, declared[2]!];
      expect(formatCheck(await checkProvided(objects, liveReader(kc), readBundle(same, objects)))).toEqual(['ok        Secret kubevirt-prow/hmac-token (hmac)', 'ok        ConfigMap docker-proxy/mirror-proxy-config (ca.crt)']);
      expect(formatCheck(await checkProvided(objects, liveReader(kc), readBundle(other, objects)))).toEqual([
        'ok        Secret kubevirt-prow/hmac-token (hmac)',
        'differs   ConfigMap docker-proxy/mirror-proxy-config: ca.crt not as in the bundle; secrets apply --from it',
      ]);
    } finally {
      rmSync(same, { recursive: true });
      rmSync(other, { recursive: true });
    }
  });

  it("checks against what the repository's manifests declare for a cluster", async () => {
    const required = await requiredOn('prow-workloads');
    expect(required.map((o) => `${o.kind} ${o.namespace}/${o.name}`)).toContain('Secret monitoring/prometheus-remote-write-tls');
    const clusters = render(await loadTopology()).clusters.map((rc) => rc.cluster.name);
    await expect(requiredOn('nowhere')).rejects.toThrow(`no cluster "nowhere" in the topology (there are: ${clusters.join(', ')})`);
  });
});

// After the checks above, which expect monitoring/alertmanager-slack to be missing.
describe('secrets apply on what is already there', () => {
  it('takes over the fields another manager set, as server-side apply with force does', async () => {
    await cluster.admin.json('POST', '/api/v1/namespaces/monitoring/secrets?fieldManager=kubectl-create', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'alertmanager-slack' }, type: 'Opaque', data: { 'webhook-url': Buffer.from('https://old').toString('base64') } });
    const dir = bundle({ 'monitoring/alertmanager-slack/webhook-url': 'https://hooks.example/new' });
    try {
      await applyBundle(kc, dir, [declared[3]!], false);
      const s = (await get('/api/v1/namespaces/monitoring/secrets/alertmanager-slack'))!;
      expect(Buffer.from(s.data!['webhook-url']!, 'base64').toString()).toBe('https://hooks.example/new');
      // The data is ours now; kubectl-create keeps only what we did not set.
      const owners = (s.metadata.managedFields as unknown as { manager: string; fieldsV1: { 'f:data'?: Record<string, unknown> } }[]).filter((m) => m.fieldsV1['f:data']?.['f:webhook-url']).map((m) => m.manager);
      expect(owners).toEqual([fieldManager]);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  it("says what to do when a Secret of another type is in the way, since a Secret's type is immutable", async () => {
    await cluster.admin.json('POST', '/api/v1/namespaces/kubevirt-prow/secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'typed' }, type: 'kubernetes.io/basic-auth', data: { username: Buffer.from('u').toString('base64') } });
    const typed: ProvidedObject = { kind: 'Secret', namespace: 'kubevirt-prow', name: 'typed', keys: ['username'], description: 'a Secret made by hand with another type' };
    const dir = bundle({ 'kubevirt-prow/typed/username': 'u' });
    try {
      await expect(applyBundle(kc, dir, [typed], false)).rejects.toThrow(
        'applying Secret kubevirt-prow/typed: the API server refuses it: Secret "typed" is invalid: type: Invalid value: "Opaque": field is immutable; its type cannot change in place: delete Secret kubevirt-prow/typed (kubectl delete), then apply again',
      );
    } finally {
      rmSync(dir, { recursive: true });
    }
  });
});
