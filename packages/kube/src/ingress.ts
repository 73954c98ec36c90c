import { tlsSecretName, type Cluster, type ExposedService } from '@kubevirt-ci/topology';
import type { ApiObject } from 'cdk8s';
import type { Construct } from 'constructs';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1';
import { emitModel } from './emit.ts';

export interface IngressPath {
  readonly path: string;
  readonly service: string;
  readonly port: number;
}

/**
 * The Ingress of an exposed service: its host from the facts, TLS from the Certificate the
 * cert-manager app issues for it, the cluster's ingress class. By default everything goes to
 * the exposed Service; pass paths to route parts of the host elsewhere (deck's /hook), and
 * annotations for what the ingress controller does beyond routing (client certificates).
 */
export function exposedIngress(scope: Construct, cluster: Cluster, name: string, exposed: ExposedService, paths?: readonly IngressPath[], annotations?: Record<string, string>): ApiObject {
  if (!cluster.exposes.includes(name)) {
    throw new Error(`cluster "${cluster.name}" does not expose "${name}"; add it to the cluster's exposes, or do not render its Ingress there`);
  }
  const routes = paths ?? [{ path: '/', service: exposed.service, port: exposed.port }];
  return emitModel(scope, new Ingress({
    metadata: { name, namespace: exposed.namespace, ...(annotations ? { annotations } : {}) },
    spec: {
      ingressClassName: cluster.ingressClassName,
      tls: [{ hosts: [exposed.host], secretName: tlsSecretName(name) }],
      rules: [
        {
          host: exposed.host,
          http: {
            paths: routes.map((r) => ({
              path: r.path,
              pathType: 'Prefix',
              backend: { service: { name: r.service, port: { number: r.port } } },
            })),
          },
        },
      ],
    },
  }));
}
