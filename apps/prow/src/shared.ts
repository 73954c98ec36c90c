import { jobSecrets } from '@kubevirt-ci/app-build-cluster';
import type { ServiceRef } from '@kubevirt-ci/topology';

/** A ConfigMap Prow renders, where its pods mount it, and the file (key) they read. */
export interface ConfigMapMount {
  readonly name: string;
  readonly mountPath: string;
  /** The key holding the file components are pointed at; undefined when they read the directory. */
  readonly key?: string;
}

export const prowConfig = { name: 'config', key: 'config.yaml', mountPath: '/etc/config' } as const satisfies ConfigMapMount;
export const pluginsConfig = { name: 'plugins', key: 'plugins.yaml', mountPath: '/etc/plugins' } as const satisfies ConfigMapMount;
export const jobConfig = { name: 'job-config', mountPath: '/etc/job-config' } as const satisfies ConfigMapMount;
export const labelConfig = { name: 'label-config', key: 'labels.yaml', mountPath: '/etc/labels' } as const satisfies ConfigMapMount;

/**
 * config.yaml as Prow reads it, also committed as a plain file (written by `pnpm run docs`,
 * checked for staleness), because rehearse reads Prow's config from the repository at the
 * pull request's ref, with the job files it rehearses.
 */
export const plainProwConfigPath = 'docs/prow/config.yaml';

/** A Secret in kubevirt-prow, provided outside git, and where components mount it. */
export interface SecretMount {
  readonly name: string;
  readonly keys: readonly string[];
  readonly mountPath: string;
  readonly description: string;
}

/** Prow's Secrets (inventory: Secrets in kubevirt-prow). Never rendered; the secrets tool creates them. */
export const prowSecrets = {
  githubToken: {
    name: 'github-token',
    keys: ['appid', 'cert'],
    mountPath: '/etc/github',
    description: "the GitHub App Prow acts as: its id (appid) and private key (cert)",
  },
  hmac: { name: 'hmac-token', keys: ['hmac'], mountPath: '/etc/webhook', description: 'the HMAC secret GitHub signs webhook deliveries with' },
  botUser: {
    name: 'github-bot-token',
    keys: ['token'],
    mountPath: '/etc/github-bot',
    description: "a GitHub user's OAuth token, the bot account cherrypicker forks repositories and opens pull requests as (a GitHub App has no user to fork as)",
  },
  gcsCredentials: {
    name: jobSecrets.gcsCredentials.name,
    keys: [jobSecrets.gcsCredentials.key],
    mountPath: '/etc/gcs-credentials',
    description: 'the GCS service account that reads and writes the build results bucket',
  },
  slack: { name: 'slack-token', keys: ['token'], mountPath: '/etc/slack', description: 'the Slack bot token crier and hook post with' },
  cookie: { name: 'cookie', keys: ['secret'], mountPath: '/etc/cookie', description: "the key deck signs its session cookies with" },
  oauth: { name: 'github-oauth-config', keys: ['secret'], mountPath: '/etc/githuboauth', description: "deck's GitHub OAuth app (client id, secret, redirect URL) for logging in" },
  kubeconfig: {
    name: 'kubeconfig',
    keys: ['config'],
    mountPath: '/etc/kubeconfig',
    description: "Prow's kubeconfig: one context per build cluster, named as the cluster, authenticating as its prow-control-plane ServiceAccount",
  },
} as const satisfies Record<string, SecretMount>;

export function secretPath(s: SecretMount, key: string): string {
  if (!s.keys.includes(key)) throw new Error(`Secret ${s.name} has no key "${key}" (it has ${s.keys.join(', ')})`);
  return `${s.mountPath}/${key}`;
}

/**
 * The Services components reach each other through (same namespace, so the name is the host).
 * deck's and gcsweb's are public: their ports come from the topology's exposed services.
 */
export const services = {
  hook: { port: 8888 },
  tide: { port: 80 },
  ghproxy: { port: 80 },
  pushgateway: { port: 80 },
  rehearse: { port: 9900 },
  'release-blocker': { port: 80 },
  cherrypicker: { port: 80 },
  'needs-rebase': { port: 80 },
} as const satisfies Record<string, Pick<ServiceRef, 'port'>>;

export type ServiceName = keyof typeof services;

/** The in-namespace URL of a component's Service. */
export function serviceUrl(name: ServiceName, path = ''): string {
  const port = services[name].port;
  return `http://${name}${port === 80 ? '' : `:${port}`}${path}`;
}

/** How a component authenticates to GitHub as the GitHub App. */
export const githubAppFlags = ['--github-app-id=$(GITHUB_APP_ID)', `--github-app-private-key-path=${secretPath(prowSecrets.githubToken, 'cert')}`] as const;
/** How it authenticates as the bot user. */
export const botUserFlag = `--github-token-path=${secretPath(prowSecrets.botUser, 'token')}`;

/** Every component that calls GitHub does it through ghproxy first, as the GitHub App; `api` is GitHub's own. */
export function githubFlags(api: string): string[] {
  return [`--github-endpoint=${serviceUrl('ghproxy')}`, `--github-endpoint=${api}`, ...githubAppFlags];
}

/** The same through ghproxy, as the bot user instead of the App (cherrypicker, which forks). */
export function githubUserFlags(api: string): string[] {
  return [`--github-endpoint=${serviceUrl('ghproxy')}`, `--github-endpoint=${api}`, botUserFlag];
}

export const configFlags = [`--config-path=${prowConfig.mountPath}/${prowConfig.key}`, `--job-config-path=${jobConfig.mountPath}`];
export const pluginsFlag = `--plugin-config=${pluginsConfig.mountPath}/${pluginsConfig.key}`;
export const kubeconfigFlag = `--kubeconfig=${secretPath(prowSecrets.kubeconfig, 'config')}`;
export const gcsFlag = `--gcs-credentials-file=${secretPath(prowSecrets.gcsCredentials, 'service-account.json')}`;
export const hmacFlag = `--hmac-secret-file=${secretPath(prowSecrets.hmac, 'hmac')}`;
export const slackFlag = `--slack-token-file=${secretPath(prowSecrets.slack, 'token')}`;
