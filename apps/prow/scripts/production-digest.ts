/**
 * Writes src/config/policy/production.json: a digest of every setting of production's Prow
 * config files, read from a git directory of kubevirt/project-infra at one commit, for the
 * parity test. Run it when production moves, then update the policy files and the table.
 *
 *   pnpm --filter @kubevirt-ci/app-prow production-digest -- --git-dir DIR --commit SHA
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { digestsOf, parseProwFile, type ProductionDigest } from '../src/config/parity.ts';
import type { PolicyFile } from '../src/config/policy.ts';

const base = 'github/ci/prow-deploy/kustom/base/configs/current';
const files: Record<PolicyFile, string> = {
  'config.yaml': `${base}/config/config.yaml`,
  'plugins.yaml': `${base}/plugins/plugins.yaml`,
  'labels.yaml': `${base}/labels/labels.yaml`,
};

const { values } = parseArgs({ options: { 'git-dir': { type: 'string' }, commit: { type: 'string' } } });
const gitDir = values['git-dir'];
const commit = values.commit;
if (!gitDir || !commit) {
  console.error('usage: production-digest --git-dir <kubevirt/project-infra git directory> --commit <sha>');
  process.exit(2);
}
const git = (...args: string[]) => execFileSync('git', ['--git-dir', gitDir, ...args], { encoding: 'utf8' });
const full = git('rev-parse', '--verify', `${commit}^{commit}`).trim();
const digest: ProductionDigest = {
  repo: 'https://github.com/kubevirt/project-infra',
  commit: full,
  files,
  settings: Object.fromEntries(Object.entries(files).map(([f, path]) => [f, digestsOf(parseProwFile(f as PolicyFile, git('show', `${full}:${path}`)))])) as ProductionDigest['settings'],
};
const out = new URL('../src/config/policy/production.json', import.meta.url);
writeFileSync(out, `${JSON.stringify(digest, null, 2)}\n`);
console.log(`${out.pathname}: ${Object.values(digest.settings).reduce((n, s) => n + Object.keys(s).length, 0)} settings of ${full.slice(0, 9)}`);
