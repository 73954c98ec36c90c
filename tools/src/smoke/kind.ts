/**
 * kind clusters for the smoke test, and the few kubectl calls it makes against them. Nothing
 * here runs without docker and kind; see preflight().
 */
import { spawn, spawnSync } from 'node:child_process';
import { cacheNode } from '@kubevirt-ci/kube';
import type { Versions } from '@kubevirt-ci/topology';
import { stringify } from 'yaml';

/** What is missing for the smoke test on this machine, in one line; undefined when nothing is. */
export function preflight(run: (cmd: string, args: string[]) => { ok: boolean; detail: string } = runQuiet): string | undefined {
  const docker = run('docker', ['info', '--format', '{{.ServerVersion}}']);
  const kind = run('kind', ['version']);
  const kubectl = run('kubectl', ['version', '--client']);
  const missing = [
    ...(docker.ok ? [] : [`no container engine (docker info: ${docker.detail})`]),
    ...(kind.ok ? [] : ['no kind']),
    ...(kubectl.ok ? [] : ['no kubectl']),
  ];
  return missing.length > 0 ? missing.join(', ') : undefined;
}

function runQuiet(cmd: string, args: string[]): { ok: boolean; detail: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 20_000 });
  if (r.error) return { ok: false, detail: (r.error as NodeJS.ErrnoException).code === 'ENOENT' ? `${cmd} is not installed` : r.error.message };
  const detail = `${r.stderr ?? ''}${r.stdout ?? ''}`.trim().split('\n').find((l) => /error|cannot|denied/i.test(l)) ?? `exit ${r.status}`;
  return { ok: r.status === 0, detail: detail.replace(/^(ERROR|Error):\s*/, '') };
}

/**
 * A one-node kind cluster: the node is the cache node (the caches' pods select it), and on the
 * hub it is where ingress-nginx's kind manifest runs (it selects ingress-ready).
 */
export function kindConfig(hub: boolean): string {
  return stringify({
    kind: 'Cluster',
    apiVersion: 'kind.x-k8s.io/v1alpha4',
    nodes: [{ role: 'control-plane', labels: { [cacheNode.label]: cacheNode.value, ...(hub ? { 'ingress-ready': 'true' } : {}) } }],
  });
}

/** kind prefixes its kube contexts. */
export const kindContext = (cluster: string) => `kind-${cluster}`;

/** ingress-nginx's manifest for kind, at the pinned release. */
export function ingressNginxUrl(v: Pick<Versions, 'smoke'>): string {
  return `https://raw.githubusercontent.com/kubernetes/ingress-nginx/${v.smoke.ingressNginx}/deploy/static/provider/kind/deploy.yaml`;
}

/** A local port forwarded to a Service; close() stops kubectl. */
export interface Forward {
  readonly base: string;
  close(): void;
}

/** kubectl port-forward to a Service's port, on a free local port. */
export function portForward(context: string, namespace: string, service: string, port: number): Promise<Forward> {
  return new Promise((resolve, reject) => {
    const child = spawn('kubectl', ['--context', context, '-n', namespace, 'port-forward', `svc/${service}`, `:${port}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`kubectl port-forward svc/${service} in ${namespace} did not start within 30s: ${err.trim()}`));
    }, 30_000);
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.stdout.on('data', (c: Buffer) => {
      const m = /Forwarding from 127\.0\.0\.1:(\d+)/.exec(c.toString());
      if (!m) return;
      clearTimeout(timer);
      resolve({ base: `http://127.0.0.1:${m[1]}`, close: () => child.kill() });
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`kubectl port-forward svc/${service} in ${namespace} exited with ${code}: ${err.trim()}`));
    });
  });
}
