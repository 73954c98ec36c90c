/**
 * Prow's components as they run against the fakes of Prow's own integration tests (the
 * smoke test on kind), read at the pinned commit (c47e31ece, test/integration):
 * - the fake GitHub (cmd/fakeghserver) serves /user, statuses, issues, comments and labels but
 *   no GitHub App API, so a component that calls GitHub as the App calls it as the bot user,
 *   as the integration tests run them (--github-token-path);
 * - the fake GCS (cmd/fakegcsserver, fsouza/fake-gcs-server) is reached through
 *   STORAGE_EMULATOR_HOST, which cloud.google.com/go/storage v1.50.0 (Prow's go.mod) honours
 *   without credentials (storage.go: option.WithoutAuthentication).
 */
import type { Component } from '../component.ts';
import { botUserFlag, gcsFlag, githubAppFlags, prowSecrets } from '../shared.ts';
import { mounts } from './mounts.ts';

export function asBotUser(c: Component): Component {
  if (!c.args.includes(githubAppFlags[0])) return c;
  const app = new Set<string>(githubAppFlags);
  return {
    ...c,
    github: false,
    args: c.args.flatMap((a) => (a === githubAppFlags[0] ? [botUserFlag] : app.has(a) ? [] : [a])),
    mounts: [...new Set(c.mounts.map((m) => ('secret' in m && m.secret === prowSecrets.githubToken ? mounts.botUser : m)))],
  };
}

export function withGcsEmulator(c: Component, host: string): Component {
  if (!c.args.includes(gcsFlag)) return c;
  return { ...c, env: [...(c.env ?? []), { name: 'STORAGE_EMULATOR_HOST', value: host }] };
}
