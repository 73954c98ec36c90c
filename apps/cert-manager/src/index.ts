import { Certificate, ClusterIssuer } from '@kubernetes-models/cert-manager/cert-manager.io/v1';
import { emitModel } from '@kubevirt-ci/kube';
import { defineApp, tlsSecretName, type GroupKind } from '@kubevirt-ci/topology';
import { z } from 'zod';

/**
 * The ClusterIssuer every exposed service's certificate comes from: Let's Encrypt, or on a
 * cluster no one can reach from the internet (kind), a private CA whose certificate the
 * clients that call the cluster are given (a remote-writing Prometheus verifies the hub by it).
 */
export const clusterIssuers = { acme: 'letsencrypt', privateCa: 'private-ca' } as const;

const namespace = 'cert-manager';

/**
 * The private CA's certificate and key. A ClusterIssuer reads its Secret from cert-manager's
 * cluster resource namespace, its own (pkg/issuer/ca/setup.go, v1.19.4), under tls.crt and
 * tls.key (pkg/util/kube/pki.go).
 */
export const privateCaSecret = { namespace, name: 'private-ca', keys: ['tls.crt', 'tls.key'] } as const;

const resources = z
  .object({
    requests: z.object({ cpu: z.string(), memory: z.string() }),
    limits: z.object({ cpu: z.string(), memory: z.string() }),
  })
  .strict();

const small = { requests: { cpu: '10m', memory: '64Mi' }, limits: { cpu: '200m', memory: '256Mi' } };

const values = z
  .object({
    issuer: z.enum(['acme', 'privateCa']).default('acme'),
    acme: z
      .object({
        /** Let's Encrypt production; staging is https://acme-staging-v02.api.letsencrypt.org/directory */
        server: z.url().default('https://acme-v02.api.letsencrypt.org/directory'),
        /** Where Let's Encrypt sends account notices; optional. */
        email: z.email().optional(),
        /** The Secret cert-manager keeps the ACME account key in (it creates it). */
        accountKeySecret: z.string().min(1).default('letsencrypt-account-key'),
      })
      .strict()
      .prefault({}),
    resources: z
      .object({ controller: resources.default(small), webhook: resources.default(small), cainjector: resources.default(small) })
      .strict()
      .prefault({}),
  })
  .strict();

const core = (kind: string): GroupKind => ({ group: '', kind });
const rbac = (kind: string): GroupKind => ({ group: 'rbac.authorization.k8s.io', kind });

export const app = defineApp({
  name: 'cert-manager',
  component: 'cert-manager',
  description: 'manages TLS certificates for our web services',
  values,
  kindValues: { issuer: 'privateCa' },
  provides: ['certificates'],

  namespaces: ({ topology, cluster }) => [
    namespace,
    ...cluster.exposes.map((name) => topology.exposedServices[name]!.namespace),
  ],

  releases: ({ topology, values: v }) => [
    {
      name: 'cert-manager-release',
      namespace,
      source: {
        type: 'helm',
        repoURL: 'https://charts.jetstack.io',
        chart: 'cert-manager',
        version: topology.versions.certManager,
        releaseName: 'cert-manager',
        values: {
          crds: { enabled: true, keep: true },
          // Keep leader election in our namespace instead of kube-system.
          global: { leaderElection: { namespace } },
          // A Helm-only install check; Argo CD's health checks do its job.
          startupapicheck: { enabled: false },
          resources: v.resources.controller,
          webhook: { resources: v.resources.webhook },
          cainjector: { resources: v.resources.cainjector },
        },
      },
      installs: [
        { group: 'cert-manager.io', kind: 'Certificate', scope: 'Namespaced' },
        { group: 'cert-manager.io', kind: 'CertificateRequest', scope: 'Namespaced' },
        { group: 'cert-manager.io', kind: 'Issuer', scope: 'Namespaced' },
        { group: 'cert-manager.io', kind: 'ClusterIssuer', scope: 'Cluster' },
        { group: 'acme.cert-manager.io', kind: 'Order', scope: 'Namespaced' },
        { group: 'acme.cert-manager.io', kind: 'Challenge', scope: 'Namespaced' },
      ],
      creates: {
        cluster: [
          { group: 'apiextensions.k8s.io', kind: 'CustomResourceDefinition' },
          rbac('ClusterRole'),
          rbac('ClusterRoleBinding'),
          { group: 'admissionregistration.k8s.io', kind: 'MutatingWebhookConfiguration' },
          { group: 'admissionregistration.k8s.io', kind: 'ValidatingWebhookConfiguration' },
        ],
        namespaced: [
          core('ServiceAccount'),
          core('Service'),
          { group: 'apps', kind: 'Deployment' },
          rbac('Role'),
          rbac('RoleBinding'),
        ],
      },
      serverSideApply: true,
    },
  ],

  provided: ({ values: v }) =>
    v.issuer === 'privateCa'
      ? [{ kind: 'Secret', ...privateCaSecret, keys: [...privateCaSecret.keys], description: "the private CA that signs the exposed hosts' certificates: its certificate (a CA) and key" }]
      : [],

  render: (scope, { topology, cluster, values: v }) => {
    const issuer = clusterIssuers[v.issuer];
    emitModel(
      scope,
      new ClusterIssuer({
        metadata: { name: issuer },
        spec:
          v.issuer === 'privateCa'
            ? { ca: { secretName: privateCaSecret.name } }
            : {
                acme: {
                  server: v.acme.server,
                  ...(v.acme.email ? { email: v.acme.email } : {}),
                  privateKeySecretRef: { name: v.acme.accountKeySecret },
                  solvers: [{ http01: { ingress: { ingressClassName: cluster.ingressClassName } } }],
                },
              },
      }),
    );
    for (const name of cluster.exposes) {
      const exposed = topology.exposedServices[name]!;
      emitModel(
        scope,
        new Certificate({
          metadata: { name: tlsSecretName(name), namespace: exposed.namespace },
          spec: {
            secretName: tlsSecretName(name),
            dnsNames: [exposed.host],
            issuerRef: { group: 'cert-manager.io', kind: 'ClusterIssuer', name: issuer },
            privateKey: { algorithm: 'ECDSA', size: 256, rotationPolicy: 'Always' },
          },
        }),
      );
    }
  },
});
