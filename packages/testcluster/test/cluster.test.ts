import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { versions } from '@kubevirt-ci/topology';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, makePki, startCluster, whoIs, type TestCluster } from '../src/index.ts';

let cluster: TestCluster;
beforeAll(async () => {
  cluster = await startCluster({ name: 'hub', progress: () => undefined });
});
afterAll(() => cluster?.stop());

describe('a test cluster', () => {
  it('is the pinned Kubernetes release', async () => {
    const v = JSON.parse((await cluster.admin.request('GET', '/version')).body) as { gitVersion: string };
    expect(v.gitVersion).toBe(`v${versions.kubernetesPatch}`);
  });

  it("serves TLS a client trusts only with the cluster's own CA", async () => {
    const other = mkdtempSync(join(tmpdir(), 'other-ca-'));
    try {
      makePki(other);
      const refused = await new Promise<string>((resolve) => {
        const req = request(new URL('/version', cluster.server), { ca: readFileSync(join(other, 'ca.crt')) }, () => resolve('answered'));
        req.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
        req.end();
      });
      expect(refused).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it('authorizes by RBAC: a user with no bindings may read nothing', async () => {
    const nobody = client(cluster.identity('nobody', { user: 'nobody', groups: [] }));
    const r = await nobody.json<{ message: string }>('GET', '/api/v1/namespaces/kube-system/secrets');
    expect([r.status, r.value.message]).toEqual([403, 'secrets is forbidden: User "nobody" cannot list resource "secrets" in API group "" in the namespace "kube-system"']);
  });

  it("runs the token controller, which fills a ServiceAccount's token Secret", async () => {
    await cluster.admin.json('POST', '/api/v1/namespaces/default/serviceaccounts', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'prow' } });
    await cluster.admin.json('POST', '/api/v1/namespaces/default/secrets', {
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'kubernetes.io/service-account-token',
      metadata: { name: 'prow-token', annotations: { 'kubernetes.io/service-account.name': 'prow' } },
    });
    let data: Record<string, string> | undefined;
    for (let i = 0; i < 100 && !data?.['token']; i++) {
      data = (await cluster.admin.json<{ data?: Record<string, string> }>('GET', '/api/v1/namespaces/default/secrets/prow-token')).value.data;
      if (!data?.['token']) await new Promise((r) => setTimeout(r, 100));
    }
    expect(Object.keys(data ?? {}).sort()).toEqual(['ca.crt', 'namespace', 'token']);
    expect(Buffer.from(data!['ca.crt']!, 'base64').toString()).toBe(readFileSync(cluster.caCert, 'utf8'));
    // The token authenticates as the ServiceAccount.
    const token = Buffer.from(data!['token']!, 'base64').toString();
    expect(await whoIs(cluster.admin, token)).toBe('system:serviceaccount:default:prow');
    // And a token the server did not sign does not.
    expect(await whoIs(cluster.admin, `${token.slice(0, -4)}AAAA`, 300)).toBeUndefined();
  });
});
