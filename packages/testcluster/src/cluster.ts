/**
 * A Kubernetes control plane without containers: etcd, kube-apiserver and
 * kube-controller-manager at the pinned release, built from their Go modules, on loopback
 * ports with certificates made for the run. No kubelet and no scheduler: objects are stored,
 * admitted and authorized for real, pods never run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { versions as pinned, type Versions } from '@kubevirt-ci/topology';
import { etcdProgram, goProgram, kubernetesPrograms, stderrProgress, type Progress } from '@kubevirt-ci/upstream';
import { client, type Client, type Credentials } from './client.ts';
import { makePki, type Identity, type Pki } from './pki.ts';

/** The identity the tests and a person act as: in system:masters, which RBAC lets do anything. */
export const admin: Identity = { user: 'kubevirt-ci-admin', groups: ['system:masters'] };

export interface TestCluster {
  readonly name: string;
  readonly server: string;
  readonly dir: string;
  readonly caCert: string;
  /** A kubeconfig file for `admin`, whose one context is the cluster's name. */
  readonly kubeconfig: string;
  readonly admin: Client;
  readonly adminCredentials: Credentials;
  /** Starts another program beside the control plane (an operator), stopped with it. */
  run(name: string, bin: string, args: readonly string[]): void;
  /** Polls until `probe` gives a value; fails early, with its log, if any program stopped. */
  waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T>;
  /** Credentials (and a kubeconfig file) for another identity, signed by the cluster's CA. */
  identity(name: string, who: Identity): Credentials & { readonly kubeconfig: string };
  /** Stops every process and removes the directory. */
  stop(): Promise<void>;
}

export interface Binaries {
  readonly etcd: string;
  readonly apiserver: string;
  readonly controllerManager: string;
}

/** The three programs at the pinned release, built once into the upstream cache. */
export function binaries(v: Pick<Versions, 'kubernetesPatch'> = pinned, progress: Progress = stderrProgress, env: NodeJS.ProcessEnv = process.env): Binaries {
  const k = kubernetesPrograms(v);
  return { etcd: goProgram(etcdProgram(v, env), progress, env), apiserver: goProgram(k.apiserver, progress, env), controllerManager: goProgram(k.controllerManager, progress, env) };
}

/**
 * A loopback port nothing listens on, for a program started next to bind. It is drawn below
 * the kernel's ephemeral range (32768 and up by default): a port the kernel handed out for
 * listen(0) is also what it hands out as the source port of outgoing connections, and with
 * many clients about, one took such a port in the moment between our check and the API
 * server's bind (CI failed on "bind: address already in use"). Ports handed out by this
 * process are not handed out again.
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = portFloor + Math.floor(Math.random() * (portCeiling - portFloor));
    if (handedOut.has(port)) continue;
    handedOut.add(port);
    if (await listenable(port)) return port;
    handedOut.delete(port);
  }
  throw new Error(`no free loopback port between ${portFloor} and ${portCeiling} after 200 tries`);
}

const [portFloor, portCeiling] = [20000, 32768];
const handedOut = new Set<number>();

function listenable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

export function kubeconfigYaml(name: string, c: Credentials): string {
  // JSON is YAML; every value is quoted by JSON.stringify.
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster: { server: c.server, 'certificate-authority': c.caCert } }],
    users: [{ name, user: c.token ? { token: c.token } : { 'client-certificate': c.cert, 'client-key': c.key } }],
    contexts: [{ name, context: { cluster: name, user: name } }],
    'current-context': name,
  }, null, 2);
}

/** A program started by startProcess(): its log file, and how it exited once it has. */
export interface Started {
  readonly name: string;
  readonly child: ChildProcess;
  readonly log: string;
  exited?: string;
}

/** Starts a program in dir with a bare environment, its output in dir/<name>.log. */
export function startProcess(dir: string, name: string, bin: string, args: readonly string[], detached = false): Started {
  const log = join(dir, `${name}.log`);
  const fd = openSync(log, 'a');
  const child = spawn(bin, args, { cwd: dir, stdio: ['ignore', fd, fd], detached, env: { PATH: '/usr/bin:/bin', HOME: dir } });
  closeSync(fd);
  const s: Started = { name, child, log };
  child.on('exit', (code, signal) => (s.exited = signal ? `signal ${signal}` : `exit ${code}`));
  if (detached) child.unref();
  return s;
}

const lastLines = (file: string, n = 8) => (existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').slice(-n).join('\n  ') : '(no log)');

/** Polls probe until it answers; fails at once, with its log, when one of procs stops. */
export async function until<T>(what: string, procs: readonly Started[], timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const dead = procs.find((p) => p.exited);
    if (dead) throw new Error(`${dead.name} stopped (${dead.exited}) while waiting for ${what}; its log (${dead.log}) ends:\n  ${lastLines(dead.log)}`);
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`${what} not within ${timeoutMs / 1000} s; the logs are in ${procs.map((p) => p.log).join(', ')}, and end:\n${procs.map((p) => `${p.name}:\n  ${lastLines(p.log)}`).join('\n')}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export interface StartOptions {
  readonly name: string;
  /** Where its data, certificates, logs and kubeconfig live; a new temporary directory when unset. */
  readonly dir?: string;
  /** Leave the processes running after this process exits (`pnpm cluster up`). */
  readonly detached?: boolean;
  readonly binaries?: Binaries;
  readonly progress?: Progress;
}

/** The state `pnpm cluster down` needs, written next to the kubeconfig. */
export interface ClusterState {
  readonly name: string;
  readonly server: string;
  readonly kubeconfig: string;
  readonly pids: readonly number[];
}

export async function startCluster(opts: StartOptions): Promise<TestCluster> {
  const bins = opts.binaries ?? binaries(pinned, opts.progress);
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), `testcluster-${opts.name}-`));
  mkdirSync(dir, { recursive: true });
  const pki: Pki = makePki(dir);
  const [etcdClient, etcdPeer, securePort] = [await freePort(), await freePort(), await freePort()];
  const server = `https://127.0.0.1:${securePort}`;
  const detached = opts.detached ?? false;
  const procs: Started[] = [];
  // Nothing a test cluster holds outlives it, so there is no graceful shutdown to wait for.
  const stop = async () => {
    for (const p of [...procs].reverse()) {
      if (p.exited) continue;
      const gone = new Promise((r) => p.child.once('exit', r));
      p.child.kill('SIGKILL');
      await gone;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const killOnExit = () => procs.forEach((p) => p.exited || p.child.kill('SIGKILL'));
  if (!detached) process.once('exit', killOnExit);

  try {
    const peer = `http://127.0.0.1:${etcdPeer}`;
    const etcdUrl = `http://127.0.0.1:${etcdClient}`;
    // Flags as etcdmain/config.go of the pinned etcd defines them.
    procs.push(
      startProcess(dir, 'etcd', bins.etcd, [
        `--name=${opts.name}`,
        `--data-dir=${join(dir, 'etcd')}`,
        `--listen-client-urls=${etcdUrl}`,
        `--advertise-client-urls=${etcdUrl}`,
        `--listen-peer-urls=${peer}`,
        `--initial-advertise-peer-urls=${peer}`,
        `--initial-cluster=${opts.name}=${peer}`,
        '--unsafe-no-fsync',
        '--log-level=warn',
      ], detached),
    );
    procs.push(
      startProcess(dir, 'kube-apiserver', bins.apiserver, [
        `--etcd-servers=${etcdUrl}`,
        '--bind-address=127.0.0.1',
        '--advertise-address=127.0.0.1',
        `--secure-port=${securePort}`,
        `--cert-dir=${join(dir, 'apiserver-certs')}`,
        `--tls-cert-file=${pki.servingCert}`,
        `--tls-private-key-file=${pki.servingKey}`,
        `--client-ca-file=${pki.caCert}`,
        `--service-account-issuer=${server}`,
        `--service-account-key-file=${pki.serviceAccountPub}`,
        `--service-account-signing-key-file=${pki.serviceAccountKey}`,
        '--authorization-mode=RBAC',
        // As kubeadm starts it (cmd/kubeadm/app/phases/controlplane/manifests.go): Pod Security
        // admission, not this switch, decides where privileged pods may run.
        '--allow-privileged=true',
        '--service-cluster-ip-range=10.96.0.0/16',
        '--profiling=false',
      ], detached),
    );
    const adminCert = pki.client('admin', admin);
    const adminCreds: Credentials = { server, caCert: pki.caCert, ...adminCert };
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(kubeconfig, kubeconfigYaml(opts.name, adminCreds));
    const api = client(adminCreds);
    await until(`${opts.name}'s API server to be ready (/readyz)`, procs, 90_000, async () => ((await api.request('GET', '/readyz')).status === 200 ? true : undefined));

    // system:kube-controller-manager is the user the built-in RBAC policy binds its role to.
    const kcm = pki.client('kube-controller-manager', { user: 'system:kube-controller-manager', groups: [] });
    const kcmConfig = join(dir, 'kube-controller-manager.kubeconfig');
    writeFileSync(kcmConfig, kubeconfigYaml(opts.name, { server, caCert: pki.caCert, ...kcm }));
    procs.push(
      startProcess(dir, 'kube-controller-manager', bins.controllerManager, [
        `--kubeconfig=${kcmConfig}`,
        `--authentication-kubeconfig=${kcmConfig}`,
        `--authorization-kubeconfig=${kcmConfig}`,
        `--service-account-private-key-file=${pki.serviceAccountKey}`,
        `--root-ca-file=${pki.caCert}`,
        '--use-service-account-credentials=true',
        '--leader-elect=false',
        '--bind-address=127.0.0.1',
        `--secure-port=${await freePort()}`,
        `--cert-dir=${join(dir, 'controller-manager-certs')}`,
      ], detached),
    );
    // The service account controller makes "default" in every namespace: the controllers run.
    await until(`${opts.name}'s controller manager to run (ServiceAccount default/default)`, procs, 90_000, async () => ((await api.request('GET', '/api/v1/namespaces/default/serviceaccounts/default')).status === 200 ? true : undefined));

    const state: ClusterState = { name: opts.name, server, kubeconfig, pids: procs.map((p) => p.child.pid!) };
    writeFileSync(join(dir, 'cluster.json'), `${JSON.stringify(state, null, 2)}\n`);
    return {
      name: opts.name,
      server,
      dir,
      caCert: pki.caCert,
      kubeconfig,
      admin: api,
      adminCredentials: adminCreds,
      run(name, bin, args) {
        procs.push(startProcess(dir, name, bin, args, detached));
      },
      waitFor: (what, timeoutMs, probe) => until(what, procs, timeoutMs, probe),
      identity(name, who) {
        const c: Credentials = { server, caCert: pki.caCert, ...pki.client(name, who) };
        const file = join(dir, `${name}.kubeconfig`);
        writeFileSync(file, kubeconfigYaml(opts.name, c));
        return { ...c, kubeconfig: file };
      },
      async stop() {
        process.removeListener('exit', killOnExit);
        await stop();
      },
    };
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
}
