/**
 * Kept for the one test a real API server (packages/testcluster) cannot serve: bootstrap's
 * wait for a namespace that must appear right after its first refused attempt, which only a
 * server that logs each request can time. Everything else is tested on real servers.
 *
 * A Kubernetes API server on loopback, as much of one as that test needs: discovery,
 * GET, lists, and server-side-apply PATCH (with dryRun) of a few built-in kinds and of every
 * kind a stored CustomResourceDefinition defines, kept in memory. A ServiceAccount token Secret
 * gets its token and CA filled in, as the token controller would, and a CRD is Established at once. The tools talk to it through
 * @kubernetes/client-node exactly as to a cluster.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isDeepStrictEqual } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';

interface Resource {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly plural: string;
  readonly namespaced: boolean;
}

const builtin: Resource[] = [
  ...(['Secret', 'ConfigMap', 'ServiceAccount', 'Service'] as const).map((kind) => ({ group: '', version: 'v1', kind, plural: `${kind.toLowerCase()}s`, namespaced: true })),
  { group: '', version: 'v1', kind: 'Namespace', plural: 'namespaces', namespaced: false },
  { group: '', version: 'v1', kind: 'PersistentVolume', plural: 'persistentvolumes', namespaced: false },
  { group: 'apps', version: 'v1', kind: 'Deployment', plural: 'deployments', namespaced: true },
  { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'ClusterRole', plural: 'clusterroles', namespaced: false },
  { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'ClusterRoleBinding', plural: 'clusterrolebindings', namespaced: false },
  { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'Role', plural: 'roles', namespaced: true },
  { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'RoleBinding', plural: 'rolebindings', namespaced: true },
  { group: 'apiextensions.k8s.io', version: 'v1', kind: 'CustomResourceDefinition', plural: 'customresourcedefinitions', namespaced: false },
];

/** The CA the fake token controller puts in every token Secret. */
export const fakeClusterCa = '-----BEGIN CERTIFICATE-----\nfake cluster CA\n-----END CERTIFICATE-----\n';

export interface FakeApiServer {
  readonly kubeConfig: KubeConfig;
  /** The server's URL, as a kubeconfig names it. */
  readonly url: string;
  /** Objects by "plural/namespace/name", or "plural/name" when cluster-scoped. */
  readonly objects: Map<string, Record<string, unknown>>;
  /** Every request, as "METHOD path", with "?dryRun=All" when it was a dry run. */
  readonly requests: string[];
  close(): Promise<void>;
}

function send(res: ServerResponse, code: number, body: unknown) {
  res.writeHead(code, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function status(res: ServerResponse, code: number, reason: string, message: string) {
  send(res, code, { kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason, message });
}

type Obj = Record<string, unknown> & { metadata?: Record<string, unknown> };

/** What the server sets itself, left out when deciding whether an apply changed anything. */
function content(o: Obj): Obj {
  const { resourceVersion: _rv, uid: _uid, creationTimestamp: _ct, ...metadata } = o.metadata ?? {};
  const { status: _status, ...rest } = o;
  return { ...rest, metadata };
}

export interface FakeOptions {
  /** Refuse namespaced objects whose Namespace is not stored, as a cluster does. */
  readonly checkNamespaces?: boolean;
}

export async function startFakeApiServer(context = 'test', options: FakeOptions = {}): Promise<FakeApiServer> {
  const objects = new Map<string, Obj>();
  const requests: string[] = [];
  let revision = 0;

  function resources(): Resource[] {
    const custom = [...objects.entries()]
      .filter(([k]) => k.startsWith('customresourcedefinitions/'))
      .flatMap(([, crd]) => {
        const spec = crd['spec'] as { group: string; scope: string; names: { kind: string; plural: string }; versions: { name: string }[] };
        return spec.versions.map((v) => ({ group: spec.group, version: v.name, kind: spec.names.kind, plural: spec.names.plural, namespaced: spec.scope === 'Namespaced' }));
      });
    return [...builtin, ...custom];
  }

  function discovery(res: ServerResponse, group: string, version: string) {
    const served = resources().filter((r) => r.group === group && r.version === version);
    if (served.length === 0) return status(res, 404, 'NotFound', `the server could not find the requested resource (${group}/${version})`);
    send(res, 200, {
      kind: 'APIResourceList',
      groupVersion: group ? `${group}/${version}` : version,
      resources: served.map((r) => ({ name: r.plural, kind: r.kind, namespaced: r.namespaced, verbs: ['get', 'list', 'patch'] })),
    });
  }

  function handle(req: IncomingMessage, res: ServerResponse, url: URL, body: string) {
    const path = url.pathname;
    if (path === '/api/v1') return discovery(res, '', 'v1');
    const gv = /^\/apis\/([^/]+)\/([^/]+)$/.exec(path);
    if (gv) return discovery(res, gv[1]!, gv[2]!);

    const m = /^\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))(?:\/namespaces\/([^/]+))?\/([^/]+)(?:\/([^/]+))?$/.exec(path);
    if (!m) return status(res, 404, 'NotFound', `${path} is not served here`);
    const [, coreVersion, group = '', groupVersion, namespace, plural, name] = m;
    const version = coreVersion ?? groupVersion!;
    const resource = resources().find((r) => r.group === group && r.version === version && r.plural === plural);

    if (!name) {
      // A list; custom objects are listed whether or not their CRD is stored (Argo CD's Applications).
      if (req.method !== 'GET') return status(res, 405, 'MethodNotAllowed', `${req.method} of a list`);
      const prefix = namespace ? `${plural}/${namespace}/` : `${plural}/`;
      return send(res, 200, { items: [...objects.entries()].filter(([k]) => k.startsWith(prefix)).map(([, v]) => v) });
    }
    if (!resource) return status(res, 404, 'NotFound', `the server could not find the requested resource (${plural} in ${group || 'core'}/${version})`);
    const key = resource.namespaced ? `${plural}/${namespace}/${name}` : `${plural}/${name}`;
    const stored = objects.get(key);

    if (req.method === 'GET') {
      if (stored) return send(res, 200, stored);
      return status(res, 404, 'NotFound', `${plural} "${name}" not found`);
    }
    if (req.method === 'PATCH' && req.headers['content-type'] === 'application/apply-patch+yaml') {
      if (options.checkNamespaces && resource.namespaced && !objects.has(`namespaces/${namespace}`)) return status(res, 404, 'NotFound', `namespaces "${namespace}" not found`);
      // client-node sends the object as JSON, which is YAML too; an apply replaces the fields it names.
      const applied = JSON.parse(body) as Obj;
      if (applied['type'] === 'kubernetes.io/service-account-token' && !applied['data']) {
        const sa = (applied.metadata?.['annotations'] as Record<string, string> | undefined)?.['kubernetes.io/service-account.name'];
        applied['data'] = { token: Buffer.from(`token-for-${sa}`).toString('base64'), 'ca.crt': Buffer.from(fakeClusterCa).toString('base64') };
      }
      if (applied['kind'] === 'CustomResourceDefinition') applied['status'] = { conditions: [{ type: 'Established', status: 'True' }] };
      const unchanged = stored && isDeepStrictEqual(content(applied), content(stored));
      const result: Obj = unchanged
        ? stored
        : { ...applied, metadata: { ...applied.metadata, uid: stored?.metadata?.['uid'] ?? `uid-${key}`, resourceVersion: String(++revision) } };
      if (url.searchParams.get('dryRun') !== 'All') objects.set(key, result);
      return send(res, stored ? 200 : 201, result);
    }
    status(res, 405, 'MethodNotAllowed', `${req.method} with ${req.headers['content-type']}`);
  }

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    requests.push(`${req.method} ${url.pathname}${url.searchParams.get('dryRun') ? `?dryRun=${url.searchParams.get('dryRun')}` : ''}`);
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      try {
        handle(req, res, url, body);
      } catch (err) {
        status(res, 500, 'InternalError', (err as Error).message);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [{ name: context, server: url, skipTLSVerify: true }],
    users: [{ name: context, token: 'not-a-secret' }],
    contexts: [{ name: context, cluster: context, user: context }],
    currentContext: context,
  });
  return { kubeConfig, url, objects, requests, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
