/**
 * A Kubernetes API server on loopback, as much of one as the tools' tests need: discovery of
 * the core group, GET and server-side-apply PATCH of namespaced core objects, and lists of
 * custom objects, kept in memory. The tools talk to it through @kubernetes/client-node exactly as to a cluster.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';

const resources: Record<string, string> = { secrets: 'Secret', configmaps: 'ConfigMap', serviceaccounts: 'ServiceAccount' };

export interface FakeApiServer {
  readonly kubeConfig: KubeConfig;
  /** Objects by "resource/namespace/name". */
  readonly objects: Map<string, Record<string, unknown>>;
  /** Every request, as "METHOD path". */
  readonly requests: string[];
  close(): Promise<void>;
}

function send(res: import('node:http').ServerResponse, code: number, body: unknown) {
  res.writeHead(code, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

export async function startFakeApiServer(context = 'test'): Promise<FakeApiServer> {
  const objects = new Map<string, Record<string, unknown>>();
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    requests.push(`${req.method} ${url.pathname}`);
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      if (url.pathname === '/api/v1') {
        send(res, 200, { kind: 'APIResourceList', groupVersion: 'v1', resources: Object.entries(resources).map(([name, kind]) => ({ name, kind, namespaced: true, verbs: ['get', 'patch'] })) });
        return;
      }
      // Lists of custom objects (Argo CD's Applications), from objects stored as "plural/namespace/name".
      const list = /^\/apis\/[^/]+\/[^/]+\/namespaces\/([^/]+)\/([^/]+)$/.exec(url.pathname);
      if (list && req.method === 'GET') {
        send(res, 200, { items: [...objects.entries()].filter(([k]) => k.startsWith(`${list[2]}/${list[1]}/`)).map(([, v]) => v) });
        return;
      }
      const m = /^\/api\/v1\/namespaces\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(url.pathname);
      if (!m || !resources[m[2]!]) {
        send(res, 404, { kind: 'Status', status: 'Failure', code: 404, reason: 'NotFound', message: `${url.pathname} is not served here` });
        return;
      }
      const key = `${m[2]}/${m[1]}/${m[3]}`;
      if (req.method === 'GET') {
        const found = objects.get(key);
        if (found) send(res, 200, found);
        else send(res, 404, { kind: 'Status', status: 'Failure', code: 404, reason: 'NotFound', message: `${m[2]} "${m[3]}" not found` });
        return;
      }
      if (req.method === 'PATCH' && req.headers['content-type'] === 'application/apply-patch+yaml') {
        // client-node sends the object as JSON, which is YAML too; an apply replaces the fields it names.
        const obj = JSON.parse(body) as Record<string, unknown>;
        objects.set(key, obj);
        send(res, 200, obj);
        return;
      }
      send(res, 405, { kind: 'Status', status: 'Failure', code: 405, reason: 'MethodNotAllowed', message: `${req.method} with ${req.headers['content-type']}` });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [{ name: 'fake', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
    users: [{ name: 'tester', token: 'not-a-secret' }],
    contexts: [{ name: context, cluster: 'fake', user: 'tester' }],
    currentContext: context,
  });
  return { kubeConfig, objects, requests, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
