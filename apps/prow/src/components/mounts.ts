import { jobConfig, pluginsConfig, prowConfig, prowSecrets } from '../shared.ts';

/** The mounts and ports components share, by what they are. */
export const mounts = {
  config: { configMap: prowConfig },
  jobs: { configMap: jobConfig },
  plugins: { configMap: pluginsConfig },
  github: { secret: prowSecrets.githubToken },
  kubeconfig: { secret: prowSecrets.kubeconfig },
  gcs: { secret: prowSecrets.gcsCredentials },
  hmac: { secret: prowSecrets.hmac },
  botUser: { secret: prowSecrets.botUser },
  slack: { secret: prowSecrets.slack },
  /** Scratch space: every root filesystem is read-only. */
  tmp: { emptyDir: 'tmp', mountPath: '/tmp' },
} as const;

/** Prow's metrics port, also on the Service so it can be scraped. */
export const metricsPort = { name: 'metrics', containerPort: 9090, service: 9090 } as const;
