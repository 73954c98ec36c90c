/**
 * A pull through the docker proxy, as dockerd makes one with the proxy as its HTTPS proxy:
 * CONNECT to the registry through it, TLS verified against the proxy's own CA (it answers
 * with a certificate it mints for the registry's name), a pull token from auth.docker.io,
 * the tag's manifest (for an index, its linux/amd64 entry, by digest), and the image's config
 * blob by digest, whose sha256 must be that digest. The blob is fetched twice: the proxy must
 * answer the second from its cache (rpardini/docker-registry-proxy 0.7.0's nginx.conf sends
 * X-Docker-Registry-Proxy-Cache-Upstream-Status from $upstream_cache_status).
 */
import { createHash } from 'node:crypto';
import { request, type IncomingHttpHeaders } from 'node:http';
import { connect as netConnect } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';

/** The header the proxy's caching layer reports each answer's cache status in. */
export const cacheStatusHeader = 'x-docker-registry-proxy-cache-upstream-status';

const manifestTypes = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

/** Docker Hub's registry API and the host its pull tokens come from. */
export const dockerHub = { host: 'registry-1.docker.io', authHost: 'auth.docker.io' } as const;

/** A Docker Hub image reference split as the registry API takes it: library/ for official images. */
export function dockerHubRepository(image: string): { repository: string; tag: string } {
  const m = /^(?:docker\.io\/)?([a-z0-9][a-z0-9._/-]*):([\w][\w.-]{0,127})$/.exec(image);
  // As docker reads a reference: a first component with a dot or a colon names another registry.
  const otherRegistry = m && m[1]!.includes('/') && /[.:]/.test(m[1]!.split('/')[0]!);
  if (!m || otherRegistry) throw new Error(`${image} is not a Docker Hub image with a tag (docker.io/<name>:<tag>)`);
  return { repository: m[1]!.includes('/') ? m[1]! : `library/${m[1]}`, tag: m[2]! };
}

interface Answer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** A TLS connection to host through the proxy's CONNECT, trusting only the given CA. */
function tunnel(proxy: URL, host: string, ca: string): Promise<TLSSocket> {
  const port = 443;
  return new Promise((resolve, reject) => {
    const socket = netConnect(Number(proxy.port), proxy.hostname);
    socket.setTimeout(30_000, () => socket.destroy(new Error(`no answer from the proxy at ${proxy.host} within 30 s`)));
    socket.once('error', reject);
    socket.once('connect', () => socket.write(`CONNECT ${host}:${port} HTTP/1.1\r\nHost: ${host}:${port}\r\n\r\n`));
    let head = '';
    const onData = (chunk: Buffer) => {
      head += chunk.toString('latin1');
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      socket.off('data', onData);
      const status = head.slice(0, head.indexOf('\r\n'));
      if (!/^HTTP\/1\.[01] 200\b/.test(status)) {
        socket.destroy();
        reject(new Error(`the proxy refused CONNECT ${host}:${port}: ${status}`));
        return;
      }
      const secure = tlsConnect({ socket, servername: host, ca });
      secure.once('secureConnect', () => resolve(secure));
      secure.once('error', (e) => reject(new Error(`TLS to ${host} through the proxy, trusting the proxy's CA: ${e.message}`)));
    };
    socket.on('data', onData);
  });
}

async function getThrough(proxy: URL, host: string, path: string, headers: Record<string, string>, ca: string): Promise<Answer> {
  const socket = await tunnel(proxy, host, ca);
  return new Promise((resolve, reject) => {
    const req = request({ host, path, method: 'GET', headers: { ...headers, host }, createConnection: () => socket }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        socket.destroy();
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) });
      });
      res.on('error', reject);
    });
    req.setTimeout(120_000, () => req.destroy(new Error(`GET https://${host}${path} through the proxy took over 120 s`)));
    req.on('error', reject);
    req.end();
  });
}

function expectOk(what: string, got: Answer): Answer {
  if (got.status !== 200) throw new Error(`${what}: HTTP ${got.status} through the proxy: ${got.body.toString('utf8').slice(0, 200).trim()}`);
  return got;
}

function json<T>(what: string, got: Answer): T {
  try {
    return JSON.parse(got.body.toString('utf8')) as T;
  } catch {
    throw new Error(`${what}: the answer is not JSON: ${got.body.toString('utf8').slice(0, 200)}`);
  }
}

export interface Pulled {
  readonly digest: string;
  readonly bytes: number;
  /** The proxy's cache status of the first and the second fetch of the blob. */
  readonly cache: readonly [string, string];
}

/** Pulls image's config blob through the proxy at base (http://host:port); throws what went wrong, step by step. */
export async function pullThroughProxy(base: string, image: string, proxyCa: string): Promise<Pulled> {
  const proxy = new URL(base);
  const registry = dockerHub;
  const { repository, tag } = dockerHubRepository(image);
  const get = (host: string, path: string, headers: Record<string, string> = {}) => getThrough(proxy, host, path, headers, proxyCa);

  const scope = `repository:${repository}:pull`;
  const tokenPath = `/token?service=registry.docker.io&scope=${encodeURIComponent(scope)}`;
  const { token } = json<{ token?: string }>('the pull token', expectOk(`GET https://${registry.authHost}${tokenPath}`, await get(registry.authHost, tokenPath)));
  if (!token) throw new Error(`GET https://${registry.authHost}${tokenPath}: no token in the answer`);
  const auth = { authorization: `Bearer ${token}`, accept: manifestTypes };

  const manifestAt = (ref: string) => `/v2/${repository}/manifests/${ref}`;
  type Manifest = { manifests?: { digest: string; platform?: { os?: string; architecture?: string } }[]; config?: { digest: string } };
  let manifest = json<Manifest>(`the manifest of ${image}`, expectOk(`GET ${manifestAt(tag)}`, await get(registry.host, manifestAt(tag), auth)));
  if (manifest.manifests) {
    const entry = manifest.manifests.find((m) => m.platform?.os === 'linux' && m.platform.architecture === 'amd64');
    if (!entry) throw new Error(`${image} has no linux/amd64 manifest in its index`);
    manifest = json<Manifest>(`the linux/amd64 manifest of ${image}`, expectOk(`GET ${manifestAt(entry.digest)}`, await get(registry.host, manifestAt(entry.digest), auth)));
  }
  const digest = manifest.config?.digest;
  if (!digest?.startsWith('sha256:')) throw new Error(`the manifest of ${image} names no sha256 config blob`);

  const blobAt = `/v2/${repository}/blobs/${digest}`;
  const fetchBlob = async () => {
    const got = expectOk(`GET ${blobAt}`, await get(registry.host, blobAt, { authorization: auth.authorization }));
    const sum = `sha256:${createHash('sha256').update(got.body).digest('hex')}`;
    if (sum !== digest) throw new Error(`GET ${blobAt}: the blob's sha256 is ${sum}, not its digest: the proxy served something else`);
    return got;
  };
  const first = await fetchBlob();
  const second = await fetchBlob();
  const status = (a: Answer) => String(a.headers[cacheStatusHeader] ?? '(none)');
  if (status(second) !== 'HIT') throw new Error(`GET ${blobAt} a second time: the proxy's cache status is ${status(second)}, not HIT: it does not cache blobs`);
  return { digest, bytes: first.body.length, cache: [status(first), status(second)] };
}
