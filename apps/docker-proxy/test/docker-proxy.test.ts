import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { render } from '@kubevirt-ci/synth';
import { clusterSpec, jobsNamespaceApp, objectsOf, problemsFrom } from '@kubevirt-ci/synth/testing';
import { defineRole, defineTopology, enable } from '@kubevirt-ci/topology';
import { describe, expect, it } from 'vitest';
import { app, cacheMaxSize, daemonDefaults, dockerOption, kubevirtciAlias, proxyService } from '../src/index.ts';

type Values = Parameters<typeof enable<typeof app.values>>[1];

function renderWith(values?: Values) {
  const role = defineRole({ role: 'builds', description: 'b', hub: true, apps: [enable(jobsNamespaceApp), enable(app, values)], clusters: [clusterSpec('builds-1')] });
  return render(defineTopology({ apps: [jobsNamespaceApp, app], roles: [role] }));
}

const find = (objects: readonly any[], kind: string, namespace?: string) => objects.filter((o) => o.kind === kind && (namespace === undefined || o.metadata.namespace === namespace));

describe('the docker proxy cache size', () => {
  it('is the volume less its headroom, in whole GiB', () => {
    expect(cacheMaxSize('450Gi', 10)).toBe('405g');
    expect(cacheMaxSize('500Gi', 10)).toBe('450g');
    expect(cacheMaxSize('1Ti', 10)).toBe('921g');
  });

  it('is at least 1g, and refuses a volume with no room left', () => {
    expect(cacheMaxSize('2Gi', 50)).toBe('1g');
    expect(() => cacheMaxSize('1Gi', 10)).toThrow('a 1Gi volume leaves no room for the image cache after 10% headroom; give the docker proxy at least 2Gi');
  });
});

describe('the docker proxy app', () => {
  const rendered = renderWith({
    storage: { type: 'local', size: '500Gi', path: '/var/data/docker-mirror-proxy' },
    resources: { requests: { cpu: '4', memory: '8Gi' }, limits: { memory: '8Gi' } },
  });
  const objects = objectsOf(rendered, 'builds-1', 'docker-proxy') as any[];
  const pod = find(objects, 'Deployment')[0].spec.template.spec;
  const proxy = pod.containers[0];

  it('caches manifests, allows pushes, waits long, and sizes its cache from the volume', () => {
    const env = Object.fromEntries(proxy.env.map((e: any) => [e.name, e.value]));
    expect([env.ENABLE_MANIFEST_CACHE, env.ALLOW_PUSH, env.CACHE_MAX_SIZE, env.PROXY_READ_TIMEOUT, env.CLIENT_BODY_TIMEOUT]).toEqual(['true', 'true', '450g', '1200s', '1200s']);
  });

  it('has the resources its cluster gives it, with no CPU limit to throttle it', () => {
    expect(proxy.resources).toEqual({ requests: { cpu: '4', memory: '8Gi' }, limits: { memory: '8Gi' } });
  });

  it('runs on the cache node when its storage is local there', () => {
    expect(pod.nodeSelector).toEqual({ 'ci.kubevirt.io/cachenode': 'true' });
    expect(find(objectsOf(renderWith(), 'builds-1', 'docker-proxy'), 'Deployment')[0].spec.template.spec.nodeSelector).toBeUndefined();
  });

  it('signs with the CA key from the declared Secret and the certificate from the ConfigMap', () => {
    expect(proxy.volumeMounts.slice(1)).toEqual([
      { name: 'ca-cert', mountPath: '/ca/ca.crt', subPath: 'ca.crt', readOnly: true },
      { name: 'ca-key', mountPath: '/ca/ca.key', subPath: 'ca.key', readOnly: true },
    ]);
    expect(pod.volumes.slice(1)).toEqual([
      { name: 'ca-cert', configMap: { name: 'mirror-proxy-config' } },
      { name: 'ca-key', secret: { secretName: 'docker-mirror-proxy', defaultMode: 0o400 } },
    ]);
    expect(rendered.clusters[0]!.provided.map((p) => [p.kind, p.namespace, p.name, p.keys])).toEqual([
      ['Secret', 'docker-proxy', 'docker-mirror-proxy', ['ca.key']],
      ['ConfigMap', 'docker-proxy', 'mirror-proxy-config', ['ca.crt']],
      ['ConfigMap', 'kubevirt-prow-jobs', 'mirror-proxy-config', ['ca.crt']],
    ]);
  });

  it("answers at KubeVirtCI's hard-coded address through an alias of its Service", () => {
    const alias = find(objects, 'Service', 'kubevirt-prow')[0];
    expect([alias.metadata.name, alias.spec]).toEqual([
      kubevirtciAlias.name,
      { type: 'ExternalName', externalName: 'docker-mirror-proxy.docker-proxy.svc.cluster.local', ports: [{ name: 'proxy', port: 3128 }] },
    ]);
    expect(find(objects, 'Service', 'docker-proxy')[0].spec.ports).toEqual([{ name: 'proxy', port: 3128, targetPort: 'proxy', protocol: 'TCP' }]);
  });

  it("gives jobs a docker daemon config that points at the proxy's Service", () => {
    const config = find(objects, 'ConfigMap', 'kubevirt-prow-jobs')[0];
    expect(config.metadata.name).toBe('docker-daemon-mirror-config');
    expect(config.data.docker).toBe(daemonDefaults(['--data-root=/docker-graph', '--mtu=1450', '--ipv6', '--fixed-cidr-v6 2001:db8:1::/64']));
    expect(daemonDefaults(['--mtu=1450'])).toBe('DOCKER_OPTS="${DOCKER_OPTS} --mtu=1450"\nexport http_proxy=http://docker-mirror-proxy.docker-proxy.svc:3128\nexport https_proxy=http://docker-mirror-proxy.docker-proxy.svc:3128\n');
  });

  it('gives the shell that sources the daemon config exactly the options, and refuses one that would run a command', () => {
    const dir = mkdtempSync(join(tmpdir(), 'docker-defaults-'));
    const file = join(dir, 'docker');
    const options = ['--data-root=/docker-graph', '--mtu=1450', '--fixed-cidr-v6 2001:db8:1::/64', '--registry-mirror=http://mirror.example:5000', '--log-opt=max-size=10m'];
    writeFileSync(file, daemonDefaults(options));
    const sourced = execFileSync('/bin/sh', ['-c', '. "$1"; printf %s "$DOCKER_OPTS"', 'sh', file], { encoding: 'utf8', env: { PATH: '/usr/bin:/bin', DOCKER_OPTS: '--base' } });
    expect(sourced).toBe(`--base ${options.join(' ')}`);
    const refused = ['"; touch /tmp/pwned; echo "', '--mtu=$(id)', '--mtu=`id`', '--x="a"', '--x=a;b', '--x=a b c', 'mtu=1450'];
    expect(refused.filter((o) => dockerOption.safeParse(o).success)).toEqual([]);
    expect(problemsFrom(() => renderWith({ dockerOptions: ['--mtu=1450', refused[0]!] })).map((p) => [p.field, p.message])).toEqual([
      ['values.dockerOptions[1]', 'must be one dockerd flag such as --mtu=1450, its value made of letters, digits and _ . / : , = @ + -'],
    ]);
  });

  it('offers jobs a preset that mounts the CA and the daemon config and points at both Services', () => {
    const [preset] = rendered.clusters[0]!.presets.map((o) => o.preset);
    expect(preset).toMatchObject({
      label: 'preset-docker-mirror-proxy',
      env: [{ name: 'CA_CERT_FILE', value: '/etc/docker-mirror-proxy/ca.crt' }],
      volumeMounts: [
        { name: 'docker-mirror-proxy-ca', mountPath: '/etc/docker-mirror-proxy', readOnly: true },
        { name: 'docker-daemon-config', mountPath: '/etc/default', readOnly: true },
      ],
      services: [proxyService, kubevirtciAlias],
    });
  });

  it('says why it runs as root, so the policy check accepts it', () => {
    expect(Object.keys(find(objects, 'Deployment')[0].metadata.annotations)).toEqual(['policy.ci.kubevirt.io/capabilities', 'policy.ci.kubevirt.io/non-root', 'policy.ci.kubevirt.io/read-only-root']);
    // Its own security context is kept as written, not merged with the restricted defaults.
    expect([pod.securityContext, proxy.securityContext]).toEqual([{ seccompProfile: { type: 'RuntimeDefault' } }, { allowPrivilegeEscalation: false }]);
  });

  it('refuses a timeout that is not in seconds', () => {
    const [problem] = problemsFrom(() => renderWith({ timeout: '20m' }));
    expect([problem!.field, problem!.message]).toEqual(['values.timeout', 'must be seconds, such as 1200s']);
  });
});
