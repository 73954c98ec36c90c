import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A job tree the size and shape of production's (project-infra github/ci/prow-deploy/files/jobs
 * at 2c863fd10: 216 files, 1,399 presubmits, 109 postsubmits, 147 periodics, 1.7 MB, anchors
 * throughout), for the bench and the scale test. The jobs are made up; the shape is not.
 */
export const productionShape = { repos: 72, presubmits: 1399, postsubmits: 109, periodics: 147 } as const;

/** The share of `total` the i-th of `n` repositories gets, so the sums are exact. */
const shareOf = (total: number, n: number, i: number) => Math.floor(((i + 1) * total) / n) - Math.floor((i * total) / n);

export interface SampleTree {
  readonly files: number;
  readonly jobs: number;
  readonly bytes: number;
}

/** Preset labels and build clusters the sample jobs use: pass the topology's. */
export interface SampleTarget {
  readonly cluster: string;
  readonly presets: readonly string[];
}

/** One job; the first of a file declares the anchors the rest refer to, as production's do. */
function job(name: string, t: SampleTarget, first: boolean, extra: string[], command: string): string {
  const anchored = (anchor: string, body: string[]) => (first ? [`&${anchor}`, ...body] : [`*${anchor}`]);
  const [labels, ...labelBody] = anchored('labels', t.presets.map((p) => `      ${p}: "true"`));
  const [resources, ...resourceBody] = anchored('resources', ['              requests: { cpu: "4", memory: 8Gi }', '              limits: { memory: 8Gi }']);
  const [security, ...securityBody] = anchored('security', ['              privileged: true']);
  return [
    `  - name: ${name}`,
    `    cluster: ${t.cluster}`,
    ...extra.map((l) => `    ${l}`),
    '    decorate: true',
    '    decoration_config:',
    '      timeout: 3h',
    '      grace_period: 5m',
    `    labels: ${labels}`,
    ...labelBody,
    '    spec:',
    '      nodeSelector:',
    '        type: bare-metal-external',
    '      containers:',
    '        - image: quay.io/kubevirtci/bootstrap:v20260715-af3e234',
    '          command: [/usr/local/bin/runner.sh, /bin/sh, -ce]',
    '          args:',
    `            - ${command}`,
    '          env:',
    '            - name: TARGET',
    `              value: ${name}`,
    '            - name: KUBEVIRT_QUARANTINE',
    '              value: "true"',
    `          resources: ${resources}`,
    ...resourceBody,
    `          securityContext: ${security}`,
    ...securityBody,
    '          volumeMounts:',
    '            - name: devices',
    '              mountPath: /dev/vfio/',
    '      volumes:',
    '        - name: devices',
    '          hostPath:',
    '            path: /dev/vfio/',
    '            type: Directory',
  ].join('\n');
}

/** Writes the sample tree under `dir` (<org>/<repo>/<repo>-{presubmits,postsubmits,periodics}.yaml). */
export function writeSampleTree(dir: string, t: SampleTarget, shape = productionShape): SampleTree {
  let files = 0;
  let jobs = 0;
  let bytes = 0;
  for (let i = 0; i < shape.repos; i++) {
    const org = i % 9 === 0 ? 'nmstate' : 'kubevirt';
    const repo = `sample-repo-${String(i).padStart(2, '0')}`;
    const full = `${org}/${repo}`;
    mkdirSync(join(dir, org, repo), { recursive: true });
    const write = (kind: string, body: string[]) => {
      const text = `# Sample jobs of ${full}, generated for the bench.\n${body.join('\n')}\n`;
      writeFileSync(join(dir, org, repo, `${repo}-${kind}.yaml`), text);
      files++;
      bytes += Buffer.byteLength(text);
    };
    const pre = Array.from({ length: shareOf(shape.presubmits, shape.repos, i) }, (_, k) =>
      job(`pull-${repo}-e2e-lane-${k}`, t, k === 0, [k % 3 === 0 ? 'always_run: true' : 'run_if_changed: ^(pkg|cmd)/.*\\.go$', 'optional: false', `branches: [main, release-1.${k % 8}]`], `make e2e-lane-${k}`),
    );
    const post = Array.from({ length: shareOf(shape.postsubmits, shape.repos, i) }, (_, k) => job(`post-${repo}-push-${k}`, t, k === 0, ['branches: [main]'], `make push-${k}`));
    const per = Array.from({ length: shareOf(shape.periodics, shape.repos, i) }, (_, k) =>
      job(`periodic-${repo}-nightly-${k}`, t, k === 0, [`cron: "${(k * 7) % 60} ${k % 24} * * *"`, 'extra_refs:', `  - { org: ${org}, repo: ${repo}, base_ref: main, workdir: true }`], `make nightly-${k}`),
    );
    write('presubmits', ['presubmits:', `  ${full}:`, ...pre.map((j) => j.replace(/^/gm, '  '))]);
    if (post.length) write('postsubmits', ['postsubmits:', `  ${full}:`, ...post.map((j) => j.replace(/^/gm, '  '))]);
    if (per.length) write('periodics', ['periodics:', ...per]);
    jobs += pre.length + post.length + per.length;
  }
  return { files, jobs, bytes };
}
