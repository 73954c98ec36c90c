import { spawnSync } from 'node:child_process';

function git(root: string, args: string[], input?: string): Buffer {
  const r = spawnSync('git', args, { cwd: root, input, maxBuffer: 512 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr.toString().trim() || `exit ${r.status}`}`);
  return r.stdout;
}

/** The rendered manifests as they are at a git revision, by repo-relative path. */
export function manifestsAt(root: string, rev: string): Map<string, string> {
  git(root, ['rev-parse', '--verify', '--quiet', `${rev}^{commit}`]);
  const paths = git(root, ['ls-tree', '-r', '--name-only', rev, '--', 'clusters'])
    .toString()
    .split('\n')
    .filter((p) => /^clusters\/[^/]+\/manifests\//.test(p));
  const files = new Map<string, string>();
  if (paths.length === 0) return files;
  // One git process for every file: '<sha> blob <size>\n<content>\n' per request.
  const out = git(root, ['cat-file', '--batch'], paths.map((p) => `${rev}:${p}`).join('\n') + '\n');
  let at = 0;
  for (const path of paths) {
    const nl = out.indexOf(10, at);
    const size = Number(out.subarray(at, nl).toString().split(' ')[2]);
    files.set(path, out.subarray(nl + 1, nl + 1 + size).toString('utf8'));
    at = nl + 1 + size + 1;
  }
  return files;
}
