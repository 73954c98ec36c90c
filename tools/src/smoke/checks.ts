/**
 * What the smoke test asks of the running system once Argo CD reports everything Synced and
 * Healthy: that each part does its job, not just that its pods run. Each check names a Service
 * the kind variant renders; the smoke test forwards a local port to it and runs the check.
 */
import { createHmac } from 'node:crypto';
import { proxyService } from '@kubevirt-ci/app-docker-proxy';
import { datasource } from '@kubevirt-ci/app-grafana';
import type { Manifest, Rendered, RenderedCluster } from '@kubevirt-ci/synth';
import { appName as prometheusApp } from '@kubevirt-ci/app-prometheus';
import { queryFrontendService } from '@kubevirt-ci/app-thanos';
import { enabledOn, exposedService, jobPresetsOn, prowNamespace, type ServiceRef } from '@kubevirt-ci/topology';
import type { SmokeSecrets } from './placeholders.ts';
import { pullThroughProxy } from './registry.ts';

export interface Target extends ServiceRef {
  readonly cluster: string;
}

export interface SystemCheck {
  readonly name: string;
  readonly target: Target;
  /** Runs against the target forwarded to base (http://127.0.0.1:<port>); throws what is wrong. */
  run(base: string): Promise<void>;
}

/** GitHub's signatures of a webhook body: HMAC-SHA1 (X-Hub-Signature) and HMAC-SHA256. */
export function signWebhook(body: string, key: string): Record<string, string> {
  return {
    'X-Hub-Signature': `sha1=${createHmac('sha1', key).update(body).digest('hex')}`,
    'X-Hub-Signature-256': `sha256=${createHmac('sha256', key).update(body).digest('hex')}`,
  };
}

function objectsOf(rc: RenderedCluster): Manifest[] {
  return rc.parts.flatMap((p) => p.objects);
}

/** A Service the cluster renders, by namespace and name, at the port given or its only one. */
export function renderedTarget(rc: RenderedCluster, namespace: string, name: string, port?: number): Target {
  const svc = objectsOf(rc).find((o) => o.kind === 'Service' && o.metadata.namespace === namespace && o.metadata.name === name);
  const ports = (svc?.['spec'] as { ports?: { port: number }[] } | undefined)?.ports ?? [];
  const chosen = port ?? (ports.length === 1 ? ports[0]!.port : undefined);
  if (!svc || chosen === undefined || !ports.some((p) => p.port === chosen)) {
    throw new Error(`cluster ${rc.cluster.name} renders no Service ${namespace}/${name}${port ? ` with port ${port}` : ' with one port'}; the smoke checks follow the apps, so update tools/src/smoke/checks.ts with them`);
  }
  return { cluster: rc.cluster.name, namespace, name, port: chosen };
}

/** The readiness probe path of a Deployment's first container. */
function readinessPath(rc: RenderedCluster, namespace: string, name: string): string {
  const d = objectsOf(rc).find((o) => o.kind === 'Deployment' && o.metadata.namespace === namespace && o.metadata.name === name);
  const path = (d?.['spec'] as { template?: { spec?: { containers?: { readinessProbe?: { httpGet?: { path?: string } } }[] } } } | undefined)?.template?.spec?.containers?.[0]?.readinessProbe?.httpGet?.path;
  if (!path) throw new Error(`cluster ${rc.cluster.name} renders no Deployment ${namespace}/${name} with an HTTP readiness probe`);
  return path;
}

async function get(url: string, init: RequestInit = {}): Promise<{ status: number; body: string }> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(15_000) });
  return { status: res.status, body: await res.text() };
}

function expectStatus(what: string, got: { status: number; body: string }, want: number): void {
  if (got.status !== want) throw new Error(`${what}: HTTP ${got.status}, expected ${want}: ${got.body.slice(0, 200).trim()}`);
}

/** A Prometheus API answer with at least one series. */
function expectSeries(what: string, got: { status: number; body: string }): void {
  expectStatus(what, got, 200);
  const answer = JSON.parse(got.body) as { status?: string; data?: { result?: unknown[] } };
  if (answer.status !== 'success' || !answer.data?.result?.length) throw new Error(`${what}: no series (${got.body.slice(0, 200)})`);
}

export function systemChecks(rendered: Rendered, secrets: SmokeSecrets): SystemCheck[] {
  const t = rendered.topology;
  const hub = rendered.clusters.find((rc) => rc.cluster.hub)!;
  const exposed = (name: string) => {
    const ex = exposedService(t, name);
    return renderedTarget(hub, ex.namespace, ex.service, ex.port);
  };
  const hook = renderedTarget(hub, prowNamespace, 'hook');
  const gcsweb = exposed('gcsweb');
  const gcswebHealth = readinessPath(hub, gcsweb.namespace, gcsweb.name);
  const frontend = renderedTarget(hub, queryFrontendService.namespace, queryFrontendService.name, queryFrontendService.port);
  const ping = JSON.stringify({ zen: 'Keep it logically awesome.', hook_id: 1, hook: { type: 'Organization' } });
  const webhook = (key: string) => ({ method: 'POST', body: ping, headers: { 'Content-Type': 'application/json', 'X-GitHub-Event': 'ping', 'X-GitHub-Delivery': 'smoke-delivery', ...signWebhook(ping, key) } });
  const grafanaAuth = { Authorization: `Basic ${Buffer.from(`${secrets.grafanaUser}:${secrets.grafanaPassword}`).toString('base64')}` };

  const checks: SystemCheck[] = [
    {
      name: 'deck serves its page',
      target: exposed('deck'),
      run: async (base) => {
        const page = await get(`${base}/`);
        expectStatus('GET /', page, 200);
        if (!/<html/i.test(page.body)) throw new Error('GET /: the answer is not an HTML page');
      },
    },
    { name: 'hook accepts a correctly signed webhook', target: hook, run: async (base) => expectStatus('POST /hook signed with the hmac token', await get(`${base}/hook`, webhook(secrets.hmac)), 200) },
    { name: 'hook rejects a wrongly signed webhook', target: hook, run: async (base) => expectStatus('POST /hook signed with another key', await get(`${base}/hook`, webhook(`not-${secrets.hmac}`)), 403) },
    { name: 'gcsweb answers its health check', target: gcsweb, run: async (base) => expectStatus(`GET ${gcswebHealth}`, await get(`${base}${gcswebHealth}`), 200) },
    {
      name: 'Grafana serves its login page',
      target: exposed('grafana'),
      run: async (base) => {
        const page = await get(`${base}/login`);
        expectStatus('GET /login', page, 200);
        if (!page.body.includes('Grafana')) throw new Error('GET /login: the page does not mention Grafana');
      },
    },
    {
      name: "Grafana's datasource answers through Thanos query",
      target: exposed('grafana'),
      run: async (base) => expectSeries(`query up through datasource ${datasource.uid}`, await get(`${base}/api/datasources/proxy/uid/${datasource.uid}/api/v1/query?query=up`, { headers: grafanaAuth })),
    },
    { name: 'ci-search answers', target: exposed('ci-search'), run: async (base) => expectStatus('GET /', await get(`${base}/`), 200) },
  ];

  for (const rc of rendered.clusters) {
    for (const preset of jobPresetsOn(rc.cluster)) {
      for (const ref of preset.services) {
        const svc = objectsOf(rc).find((o) => o.kind === 'Service' && o.metadata.namespace === ref.namespace && o.metadata.name === ref.name);
        // An ExternalName alias has no pods to forward to; its target is checked itself.
        if ((svc?.['spec'] as { type?: string } | undefined)?.type === 'ExternalName') continue;
        if (ref.namespace === proxyService.namespace && ref.name === proxyService.name) {
          // An image the clusters run, from Docker Hub, where the proxy is needed most.
          const image = t.versions.x509CertificateExporter;
          checks.push({
            name: `${ref.namespace}/${ref.name} on ${rc.cluster.name} pulls ${image} through its cache, with its CA`,
            target: renderedTarget(rc, ref.namespace, ref.name, ref.port),
            run: async (base) => {
              const ca = await get(`${base}/ca.crt`);
              expectStatus('GET /ca.crt', ca, 200);
              if (ca.body.trim() !== secrets.pki.caCert.trim()) throw new Error('GET /ca.crt: the proxy serves another CA than the one provided to it');
              await pullThroughProxy(base, image, secrets.pki.caCert);
            },
          });
          continue;
        }
        checks.push({
          name: `${ref.namespace}/${ref.name}:${ref.port} (${preset.label}) answers on ${rc.cluster.name}`,
          target: renderedTarget(rc, ref.namespace, ref.name, ref.port),
          run: async (base) => {
            const got = await get(`${base}/`);
            if (got.status >= 500) throw new Error(`GET /: HTTP ${got.status}`);
          },
        });
      }
    }
    if (!rc.cluster.hub && enabledOn(rc.cluster, { name: prometheusApp })) {
      checks.push({
        name: `${rc.cluster.name}'s Prometheus is visible through the hub's Thanos query`,
        target: frontend,
        run: async (base) => expectSeries(`query up{cluster="${rc.cluster.name}"}`, await get(`${base}/api/v1/query?query=${encodeURIComponent(`up{cluster="${rc.cluster.name}"}`)}`)),
      });
    }
  }
  return checks;
}
