/**
 * The few API calls the test cluster's own code makes (readiness, discovery, applies),
 * over TLS verified with the cluster's CA and a client certificate. It keeps what client
 * libraries drop: the server's Warning headers, where PodSecurity says what it would refuse.
 */
import { readFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';

export interface Credentials {
  readonly server: string;
  readonly caCert: string;
  /** A client certificate and its key, or else a bearer token. */
  readonly cert?: string;
  readonly key?: string;
  readonly token?: string;
}

export interface Response {
  readonly status: number;
  readonly body: string;
  /** The text of each Warning header (RFC 7234: `299 - "text"`). */
  readonly warnings: readonly string[];
}

export interface Client {
  request(method: string, path: string, body?: string, contentType?: string): Promise<Response>;
  json<T>(method: string, path: string, body?: unknown, contentType?: string): Promise<{ status: number; value: T; warnings: readonly string[] }>;
}

const warningText = (h: string) => /^\d{3} \S+ "((?:[^"\\]|\\.)*)"/.exec(h)?.[1]?.replace(/\\(.)/g, '$1') ?? h;

export function client(c: Credentials): Client {
  const ca = readFileSync(c.caCert);
  const cert = c.cert ? readFileSync(c.cert) : undefined;
  const key = c.key ? readFileSync(c.key) : undefined;
  const auth = c.token ? { authorization: `Bearer ${c.token}` } : {};
  const request = (method: string, path: string, body?: string, contentType = 'application/json') =>
    new Promise<Response>((resolve, reject) => {
      const req = httpsRequest(new URL(path, c.server), { method, ca, cert, key, headers: { accept: 'application/json', ...auth, ...(body !== undefined ? { 'content-type': contentType } : {}) }, timeout: 60_000 }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () => {
          const warnings = (res.headersDistinct['warning'] ?? []).map(warningText);
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), warnings });
        });
      });
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer from ${c.server} in 60 s`)));
      req.on('error', reject);
      if (body !== undefined) req.write(body);
      req.end();
    });
  return {
    request,
    async json<T>(method: string, path: string, body?: unknown, contentType?: string) {
      const r = await request(method, path, body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body), contentType);
      let value: T;
      try {
        value = JSON.parse(r.body) as T;
      } catch {
        throw new Error(`${method} ${path}: the server answered ${r.status} with something that is not JSON: ${r.body.slice(0, 200)}`);
      }
      return { status: r.status, value, warnings: r.warnings };
    },
  };
}

/**
 * Who the server says a bearer token is, by TokenReview, or undefined if it never says.
 * A legacy token Secret the token controller has just filled may still sit unfilled in the
 * API server's Secret informer, and its authenticator trusts that copy when it finds one
 * (pkg/controller/serviceaccount/tokengetter.go, pkg/serviceaccount/legacy.go at v1.33.13:
 * "Token does not match server's copy"); so it asks again for a few seconds.
 */
export async function whoIs(admin: Client, token: string, waitMs = 5_000, pollMs = 100): Promise<string | undefined> {
  for (const deadline = Date.now() + waitMs; ; ) {
    const r = await admin.json<{ status?: { authenticated?: boolean; user?: { username?: string } } }>('POST', '/apis/authentication.k8s.io/v1/tokenreviews', {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenReview',
      spec: { token },
    });
    if (r.status !== 201 && r.status !== 200) throw new Error(`TokenReview: the server answered ${r.status}`);
    if (r.value.status?.authenticated) return r.value.status.user?.username;
    if (Date.now() >= deadline) return undefined;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
