import { createHash } from 'node:crypto';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { makePki } from '../src/smoke/placeholders.ts';
import { cacheStatusHeader, dockerHubRepository, pullThroughProxy } from '../src/smoke/registry.ts';

// A stand-in for the docker proxy: it answers CONNECT for any host by piping to one TLS server
// that plays Docker Hub's registry and token service with a certificate from the proxy's CA,
// as the real proxy mints one. What it checks is our client's side of the protocol; the real
// proxy and Docker Hub are only met by the smoke job.
const sha256 = (b: Buffer | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const blob = Buffer.from('{"architecture":"amd64","os":"linux","config":{}}');
const manifest = JSON.stringify({ schemaVersion: 2, config: { digest: sha256(blob) }, layers: [] });
const index = JSON.stringify({
  schemaVersion: 2,
  manifests: [
    { digest: sha256('arm64'), platform: { os: 'linux', architecture: 'arm64' } },
    { digest: sha256(manifest), platform: { os: 'linux', architecture: 'amd64' } },
  ],
});

let mode: 'ok' | 'corrupt' | 'uncached';
let requests: string[];
let blobFetches: number;
let pki: ReturnType<typeof makePki>;
let other: ReturnType<typeof makePki>;
let proxy: Server;
let registry: Server;
let base: string;

beforeAll(async () => {
  pki = makePki(['registry-1.docker.io', 'auth.docker.io']);
  other = makePki(['registry-1.docker.io', 'auth.docker.io']);
  registry = createHttpsServer({ cert: pki.leafCert, key: pki.leafKey }, (req, res) => {
    const host = req.headers.host;
    requests.push(`${host} ${req.url}${req.headers.authorization ? ` (${req.headers.authorization})` : ''}`);
    if (host === 'auth.docker.io' && req.url === `/token?service=registry.docker.io&scope=${encodeURIComponent('repository:enix/x509-certificate-exporter:pull')}`) {
      res.end(JSON.stringify({ token: 'pull-token' }));
      return;
    }
    if (host !== 'registry-1.docker.io' || req.headers.authorization !== 'Bearer pull-token') {
      res.writeHead(401).end('unauthorized');
      return;
    }
    const repo = '/v2/enix/x509-certificate-exporter';
    if (req.url === `${repo}/manifests/3.21.0`) res.end(index);
    else if (req.url === `${repo}/manifests/${sha256(manifest)}`) res.end(manifest);
    else if (req.url === `${repo}/blobs/${sha256(blob)}`) {
      blobFetches++;
      res.setHeader(cacheStatusHeader, mode === 'uncached' || blobFetches === 1 ? 'MISS' : 'HIT');
      res.end(mode === 'corrupt' ? Buffer.from('something else') : blob);
    } else res.writeHead(404).end('not found');
  });
  await new Promise<void>((resolve) => registry.listen(0, '127.0.0.1', resolve));
  const registryPort = (registry.address() as AddressInfo).port;
  proxy = createHttpServer((_req, res) => res.end('docker-registry-proxy: The docker caching proxy is working!'));
  proxy.on('connect', (req, client, head) => {
    requests.push(`CONNECT ${req.url}`);
    const upstream = connect(registryPort, '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});

afterAll(() => {
  proxy?.close();
  registry?.close();
});

beforeEach(() => {
  mode = 'ok';
  requests = [];
  blobFetches = 0;
});

const image = 'docker.io/enix/x509-certificate-exporter:3.21.0';

describe('a pull through the docker proxy', () => {
  it("fetches the token, the index, the amd64 manifest and the config blob twice, the second time from the proxy's cache", async () => {
    expect(await pullThroughProxy(base, image, pki.caCert)).toEqual({ digest: sha256(blob), bytes: blob.length, cache: ['MISS', 'HIT'] });
    const repo = '/v2/enix/x509-certificate-exporter';
    expect(requests.filter((r) => !r.startsWith('CONNECT'))).toEqual([
      `auth.docker.io /token?service=registry.docker.io&scope=${encodeURIComponent('repository:enix/x509-certificate-exporter:pull')}`,
      `registry-1.docker.io ${repo}/manifests/3.21.0 (Bearer pull-token)`,
      `registry-1.docker.io ${repo}/manifests/${sha256(manifest)} (Bearer pull-token)`,
      `registry-1.docker.io ${repo}/blobs/${sha256(blob)} (Bearer pull-token)`,
      `registry-1.docker.io ${repo}/blobs/${sha256(blob)} (Bearer pull-token)`,
    ]);
    expect(requests.filter((r) => r.startsWith('CONNECT'))).toEqual(['CONNECT auth.docker.io:443', ...Array(4).fill('CONNECT registry-1.docker.io:443')]);
  });

  it("refuses a registry certificate the proxy's CA did not sign", async () => {
    await expect(pullThroughProxy(base, image, other.caCert)).rejects.toThrow(/^TLS to auth\.docker\.io through the proxy, trusting the proxy's CA: /);
  });

  it('refuses a blob whose sha256 is not its digest', async () => {
    mode = 'corrupt';
    await expect(pullThroughProxy(base, image, pki.caCert)).rejects.toThrow(`the blob's sha256 is ${sha256('something else')}, not its digest: the proxy served something else`);
  });

  it('fails when the proxy does not answer the second fetch from its cache', async () => {
    mode = 'uncached';
    await expect(pullThroughProxy(base, image, pki.caCert)).rejects.toThrow("the proxy's cache status is MISS, not HIT: it does not cache blobs");
  });
});

describe('Docker Hub image references', () => {
  it('split into repository and tag, official images under library/', () => {
    expect([dockerHubRepository('docker.io/enix/x509-certificate-exporter:3.21.0'), dockerHubRepository('busybox:1.37'), dockerHubRepository('docker.io/grafana/grafana:12.4.2')]).toEqual([
      { repository: 'enix/x509-certificate-exporter', tag: '3.21.0' },
      { repository: 'library/busybox', tag: '1.37' },
      { repository: 'grafana/grafana', tag: '12.4.2' },
    ]);
    expect(() => dockerHubRepository('quay.io/prometheus/prometheus:v3.14.0')).toThrow('quay.io/prometheus/prometheus:v3.14.0 is not a Docker Hub image with a tag (docker.io/<name>:<tag>)');
  });
});
