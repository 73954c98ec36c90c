/**
 * pnpm validate:manifests <paths...>: validates any manifests, ours or not (a directory, files,
 * or - for standard input), and reports every finding with file, line, object, field and fix.
 * Exit 0 when clean, 1 on findings at error severity, 2 when the input or arguments are unusable.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';
import { repoRoot, versions } from '@kubevirt-ci/topology/light';
import type { ParsedObject, ValidateOptions } from '@kubevirt-ci/validate';
// Everything else is imported when it is used: --help loads nothing, the built-in stages do
// not load the upstream programs' code, and only --repo loads the topology and synth.

const usage = `usage: validate:manifests [--format text|json|junit] [--kubernetes-version x.y] [--no-kubeconform] <path>... | -
       validate:manifests --repo [--format ...]

Validates Kubernetes manifests: multi-document YAML and JSON files, directories of them
(recursively), or - for standard input. kubeconform runs too, strict, at its pinned version
(built once from the Go module proxy) with schemas made offline from the pinned Kubernetes
API and the CRDs of the releases we install; then every object is dry-run applied, strict, on
the pinned kube-apiserver (one per rendered cluster, started here without containers, with
those CRDs installed and the namespaces really created), and each pod template as a Pod.

  --format <f>              text (default, grouped by file), json or junit
  --kubernetes-version <v>  the Kubernetes version to validate against (default ${versions.kubernetes})
  --no-kubeconform          do not run kubeconform
  --no-apiserver            do not judge the objects on the pinned kube-apiserver, nor run the
                            pinned prometheus-operator on a test cluster to judge the
                            containers and configuration it makes of our Prometheus and
                            Alertmanager
  --no-upstream             run none of the upstream programs (kubeconform, promtool on every
                            PrometheusRule, each container's command line through its own
                            program's flag parser, the pinned kube-apiserver's dry-run apply
                            of every object and of each pod template as a Pod), only the
                            built-in stages
  --skip <kind>=<reason>    a kind ('Kind' or 'group/Kind') with no schema on purpose, and why (repeatable)
  --provided <ref>          an object that exists outside these files: Kind:namespace/name, or
                            Kind:name when cluster-scoped (repeatable)
  --whole-cluster           the input is everything of its cluster(s): an object it refers to
                            and does not hold (a namespace, a Secret, a role) is an error;
                            without it, a warning, since it may live elsewhere (--repo implies it)
  --kubeconform-version     print the kubeconform version CI installs, and exit
  --repo                    validate this repository's rendered manifests (every clusters/*/manifests),
                            with the Argo CD graph checked against the topology`;

const manifestFile = /\.(ya?ml|json)$/;

function collect(path: string, out: string[]): void {
  const st = statSync(path);
  if (st.isDirectory()) {
    // Dependencies and hidden directories are never manifests.
    for (const entry of readdirSync(path).sort()) if (entry !== 'node_modules' && !entry.startsWith('.')) collect(join(path, entry), out);
  } else if (manifestFile.test(path)) out.push(path);
}

/**
 * kubeconform at its pin, with schemas made offline from the pinned Kubernetes API and CRDs,
 * built and generated once (a progress line each time on standard error). $KUBECONFORM names
 * another binary to run with the same schemas.
 */
async function kubeconformOptions(argv: Argv, kubernetesVersion: string): Promise<Pick<ValidateOptions, 'kubeconform' | 'kubeconformUnavailable'>> {
  if (argv['kubeconform'] === false || argv['upstream'] === false) return { kubeconform: false };
  if (kubernetesVersion !== versions.kubernetes) {
    return { kubeconformUnavailable: `its schemas are made for Kubernetes ${versions.kubernetesPatch}, the pinned API; --kubernetes-version ${kubernetesVersion} is checked by the built-in stages alone` };
  }
  const { prepareKubeconform } = await import('@kubevirt-ci/upstream');
  const k = prepareKubeconform(versions);
  if ('unavailable' in k) return { kubeconformUnavailable: k.unavailable };
  return { kubeconform: process.env['KUBECONFORM'] ? { ...k, bin: process.env['KUBECONFORM'] } : k };
}

/** Whether a path lies inside this repository's rendered manifests (clusters/<role>/manifests). */
function isOurManifests(path: string): boolean {
  const rel = relative(join(repoRoot, 'clusters'), resolve(path));
  return !rel.startsWith('..') && rel.split(sep)[1] === 'manifests';
}

type Argv = Record<string, unknown> & { _: unknown[] };

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  if (args.includes('--kubeconform-version')) {
    process.stdout.write(`${(await import('@kubevirt-ci/validate/kubeconform')).kubeconformVersion}\n`);
    return 0;
  }
  const { argv, chalk, echo } = await import('zx');
  const format = String(argv['format'] ?? 'text');
  if (!['text', 'json', 'junit'].includes(format)) {
    echo(chalk.red(`validate:manifests: --format must be text, json or junit, not "${format}"`));
    return 2;
  }
  const skipKinds: Record<string, string> = {};
  for (const entry of ([] as unknown[]).concat(argv['skip'] ?? []).map(String)) {
    const [kind, reason] = [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)];
    if (!entry.includes('=') || !kind || !reason.trim()) {
      echo(chalk.red(`validate:manifests: --skip ${entry}: write it as <kind>=<reason>; a kind is skipped only with a reason`));
      return 2;
    }
    skipKinds[kind] = reason;
  }
  const given: { kind: string; namespace?: string; name: string }[] = [];
  for (const entry of ([] as unknown[]).concat(argv['provided'] ?? []).map(String)) {
    const m = /^([A-Za-z]+):(?:([a-z0-9-]+)\/)?([a-z0-9.-]+)$/.exec(entry);
    if (!m) {
      echo(chalk.red(`validate:manifests: --provided ${entry}: write it as Kind:namespace/name or Kind:name`));
      return 2;
    }
    given.push({ kind: m[1]!, ...(m[2] ? { namespace: m[2] } : {}), name: m[3]! });
  }
  const repo = Boolean(argv['repo']);
  const paths = repo
    ? readdirSync(join(repoRoot, 'clusters')).sort().map((r) => join(repoRoot, 'clusters', r, 'manifests')).filter((p) => existsSync(p))
    : argv._.map(String);
  const base = repo ? repoRoot : process.cwd();
  if (paths.length === 0) {
    echo(chalk.red('validate:manifests: name at least one file or directory, or - for standard input'));
    return 2;
  }
  const files = new Map<string, string>();
  let stdinDir: string | undefined;
  for (const p of paths) {
    if (p === '-') {
      // kubeconform reads files, so standard input is kept in one for the run.
      stdinDir = mkdtempSync(join(tmpdir(), 'validate-'));
      const file = join(stdinDir, 'stdin.yaml');
      writeFileSync(file, readFileSync(0, 'utf8'));
      files.set(file, readFileSync(file, 'utf8'));
      continue;
    }
    const found: string[] = [];
    try {
      collect(p, found);
    } catch {
      echo(chalk.red(`validate:manifests: no such file or directory: ${p}`));
      return 2;
    }
    for (const f of found) files.set(relative(base, f) || f, readFileSync(f, 'utf8'));
  }
  if (files.size === 0) {
    echo(chalk.red(`validate:manifests: no .yaml, .yml or .json files under ${paths.join(', ')}`));
    return 2;
  }
  const upstream = argv['upstream'] !== false;
  const [{ counts, formatJson, formatJUnit, formatText, validateFiles }, { clusterOf, placeholdersOf, renderedContext }] = await Promise.all([import('@kubevirt-ci/validate'), import('./lib/validation.ts')]);
  try {
    let argocd;
    let provided;
    let hub: string | undefined;
    if (repo) {
      const { loadTopology, render } = await import('@kubevirt-ci/synth');
      const rendered = render(await loadTopology());
      ({ argocd, provided } = renderedContext(rendered));
      hub = rendered.topology.clusters.find((c) => c.hub)?.name;
    }
    provided = [...(provided ?? []), ...given];
    if (repo) process.chdir(repoRoot);
    const kubernetesVersion = String(argv['kubernetes-version'] ?? versions.kubernetes);
    const up = upstream ? await import('@kubevirt-ci/upstream') : undefined;
    const apiserver = upstream && argv['apiserver'] !== false ? await import('@kubevirt-ci/testcluster') : undefined;
    const report = await validateFiles(files, {
      kubernetesVersion,
      ...(await kubeconformOptions(argv, kubernetesVersion)),
      promtool: up?.preparePromtool(versions),
      checks: [
        ...(up ? [(objects: readonly ParsedObject[]) => up.checkFlags(objects, versions, up.stderrProgress)] : []),
        ...(apiserver ? [(objects: readonly ParsedObject[]) => apiserver.checkAdmission(objects, clusterOf(hub)), (objects: readonly ParsedObject[]) => apiserver.checkOperated(objects, clusterOf(hub), { placeholders: placeholdersOf(provided) })] : []),
      ],
      argocd,
      provided,
      skipKinds,
      wholeCluster: repo || Boolean(argv['whole-cluster']),
    });
    const shown = stdinDir ? { ...report, findings: report.findings.map((f) => (f.file.startsWith(stdinDir!) ? { ...f, file: '<stdin>' } : f)) } : report;
    process.stdout.write(format === 'json' ? formatJson(shown) : format === 'junit' ? formatJUnit(shown) : formatText(shown));
    if (!repo && report.findings.some((f) => f.rule.startsWith('cross/')) && paths.every(isOurManifests)) {
      // Our manifests refer to Secrets created outside git and to each other across Applications.
      process.stderr.write(`hint: these are this repository's rendered manifests; \`pnpm validate:manifests --repo\` validates them with what lives outside the files (provided Secrets, the Argo CD graph)\n`);
    }
    return counts(report).errors > 0 ? 1 : 0;
  } finally {
    if (stdinDir) rmSync(stdinDir, { recursive: true, force: true });
  }
}

process.exitCode = await main();
