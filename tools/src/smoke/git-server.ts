import { spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface GitServer {
  /** The port it listens on. */
  readonly port: number;
  close(): Promise<void>;
}

/** Splits a CGI response into its status, headers and the body that follows them. */
export function parseCgiHead(head: string): { status: number; headers: [string, string][] } {
  let status = 200;
  const headers: [string, string][] = [];
  for (const line of head.split(/\r?\n/).filter(Boolean)) {
    const i = line.indexOf(':');
    const [name, value] = [line.slice(0, i).trim(), line.slice(i + 1).trim()];
    if (name.toLowerCase() === 'status') status = Number(value.split(' ')[0]);
    else headers.push([name, value]);
  }
  return { status, headers };
}

function handle(root: string, req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://git');
  const cgi = spawn('git', ['http-backend'], {
    env: {
      ...process.env,
      GIT_PROJECT_ROOT: root,
      GIT_HTTP_EXPORT_ALL: '1',
      PATH_INFO: decodeURIComponent(url.pathname),
      QUERY_STRING: url.search.slice(1),
      REQUEST_METHOD: req.method ?? 'GET',
      CONTENT_TYPE: req.headers['content-type'] ?? '',
      REMOTE_ADDR: req.socket.remoteAddress ?? '',
      // Clients gzip large requests, and ask for protocol v2 through this header.
      HTTP_CONTENT_ENCODING: req.headers['content-encoding'] ?? '',
      GIT_PROTOCOL: String(req.headers['git-protocol'] ?? ''),
    },
  });
  req.pipe(cgi.stdin);
  let buffered = Buffer.alloc(0);
  let headed = false;
  cgi.stdout.on('data', (chunk: Buffer) => {
    if (headed) return void res.write(chunk);
    buffered = Buffer.concat([buffered, chunk]);
    const end = buffered.indexOf('\r\n\r\n') >= 0 ? buffered.indexOf('\r\n\r\n') + 4 : buffered.indexOf('\n\n') >= 0 ? buffered.indexOf('\n\n') + 2 : -1;
    if (end < 0) return;
    const { status, headers } = parseCgiHead(buffered.subarray(0, end).toString('latin1'));
    res.writeHead(status, headers.flat());
    headed = true;
    res.write(buffered.subarray(end));
  });
  cgi.on('close', (code) => {
    if (!headed) {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.write(`git http-backend exited with ${code}\n`);
    }
    res.end();
  });
}

/**
 * Serves the bare repositories under root over git's smart HTTP protocol, read-only, through
 * git's own http-backend: what Argo CD's repo server clones from during the smoke test. It
 * listens on host, the address the kind clusters reach this machine at.
 */
export async function serveGit(root: string, host: string, port = 0): Promise<GitServer> {
  const server = createServer((req, res) => {
    if (req.method !== 'GET' && !(req.method === 'POST' && req.url?.endsWith('/git-upload-pack'))) {
      res.writeHead(403, { 'content-type': 'text/plain' }).end('read-only\n');
      return;
    }
    handle(root, req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
