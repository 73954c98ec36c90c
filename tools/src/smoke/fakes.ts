/**
 * Prow's fake GitHub and fake GCS on the kind hub, built from the pinned Prow commit as Prow's
 * own integration tests build them (test/integration/cmd/{fakeghserver,fakegcsserver} at
 * versions.prow.commit). With placeholder credentials the real GitHub refuses every component
 * (cherrypicker exits when it cannot read the bot user); against the fakes they start and
 * become Ready. Facts read at c47e31ece:
 * - both serve on 8888 (fakeghserver hard-codes ":8888"; fakegcsserver's --emulator-port
 *   defaults to it) and pjutil's health on 8081 (/healthz, /healthz/ready: pkg/pjutil/health.go);
 * - fakegcsserver creates the buckets of plank's default_decoration_config_entries from the
 *   Prow config at --config-path, keeps objects under --emulator-storage-root and tells
 *   clients --emulator-public-host;
 * - Prow's go.mod says go 1.25.8.
 */
import { prowConfig, prowHealth } from '@kubevirt-ci/app-prow';
import { componentLabels, deployment, restrictedPod } from '@kubevirt-ci/kube';
import { defineApp, prowNamespace, serviceHost, type ServiceRef, type Versions } from '@kubevirt-ci/topology';
import type { Construct } from 'constructs';
import type { IContainer, IVolume } from 'kubernetes-models/v1';
import { z } from 'zod';

const name = 'prow-fakes';
const listenPort = 8888;

export const fakeGitHub = { namespace: prowNamespace, name: 'fakeghserver', port: 80 } as const satisfies ServiceRef;
export const fakeGcs = { namespace: prowNamespace, name: 'fakegcsserver', port: 80 } as const satisfies ServiceRef;

/** The fake GitHub's API, which the kind variant's topology names as GitHub's. */
export const fakeGitHubApi = `http://${serviceHost(fakeGitHub)}`;
/** The emulator host the Prow components' GCS client is given (STORAGE_EMULATOR_HOST). */
export const fakeGcsHost = `${serviceHost(fakeGcs)}:${fakeGcs.port}`;

type Fake = typeof fakeGitHub | typeof fakeGcs;

/** The image the smoke test builds for a fake and loads into kind (never pulled). */
export function fakeImage(fake: Fake, v: Pick<Versions, 'prow'>): string {
  return `localhost/kubevirt-ci-smoke/${fake.name}:${v.prow.commit.slice(0, 12)}`;
}

/** The Go toolchain image that builds them: Prow's go.mod at the pinned commit says go 1.25.8. */
export const fakesBuilder = 'docker.io/library/golang:1.25.8';
/** What they run on: static binaries, as a non-root user. */
export const fakesBase = 'gcr.io/distroless/static-debian12:nonroot';

/**
 * The Dockerfile of one fake: Prow cloned at the pinned commit, the fake built statically. The
 * commit and paths are ours (versions), so nothing from outside reaches a shell unquoted.
 */
export function fakeDockerfile(fake: Fake, v: Pick<Versions, 'prow'>): string {
  return [
    `FROM ${fakesBuilder} AS build`,
    `RUN git clone --filter=blob:none ${v.prow.repo} /src && git -C /src checkout --quiet ${v.prow.commit}`,
    'WORKDIR /src',
    `RUN CGO_ENABLED=0 go build -o /out/${fake.name} ./test/integration/cmd/${fake.name}`,
    `FROM ${fakesBase}`,
    `COPY --from=build /out/${fake.name} /${fake.name}`,
    `ENTRYPOINT ["/${fake.name}"]`,
    '',
  ].join('\n');
}

/** One fake: a Deployment of its image behind a Service, probed on pjutil's health port as Prow's components are. */
function renderFake(scope: Construct, fake: Fake, v: Pick<Versions, 'prow'>, container: Pick<IContainer, 'args' | 'volumeMounts'> = {}, volumes: IVolume[] = []): void {
  const labels = componentLabels(name, fake.name);
  const health = prowHealth();
  deployment(scope, {
    name: fake.name,
    namespace: prowNamespace,
    labels,
    service: { ports: [{ name: 'http', port: fake.port, targetPort: 'http' }] },
    pod: {
      securityContext: restrictedPod(),
      containers: [
        {
          name: fake.name,
          image: fakeImage(fake, v),
          imagePullPolicy: 'Never',
          ...container,
          ...health,
          ports: [{ name: 'http', containerPort: listenPort }, ...(health.ports ?? [])],
          resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { memory: '256Mi' } },
        },
      ],
      ...(volumes.length > 0 ? { volumes } : {}),
    },
  });
}

/** The fakes as an app of the kind variant's hub, rendered and validated like every other. */
export const prowFakes = defineApp({
  name,
  component: 'Prow fakes',
  description: "Prow's fake GitHub and fake GCS from its integration tests, for the smoke test on kind only",
  values: z.object({}).strict(),
  requires: ['prow'],
  namespaces: () => [prowNamespace],
  render: (scope, { topology }) => {
    renderFake(scope, fakeGitHub, topology.versions);
    renderFake(
      scope,
      fakeGcs,
      topology.versions,
      {
        args: [`--emulator-port=${listenPort}`, `--emulator-public-host=${fakeGcsHost}`, '--emulator-storage-root=/gcs', `--config-path=${prowConfig.mountPath}/${prowConfig.key}`],
        volumeMounts: [
          { name: 'config', mountPath: prowConfig.mountPath, readOnly: true },
          { name: 'gcs', mountPath: '/gcs' },
        ],
      },
      [
        { name: 'config', configMap: { name: prowConfig.name } },
        { name: 'gcs', emptyDir: {} },
      ],
    );
  },
});
