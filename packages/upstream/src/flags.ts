/**
 * Every container's command line, parsed by the real program's own flag parser at the version
 * its image was built from: the rendered args, then --help last. The parsers we meet
 * (kingpin, pflag) read every flag in order and stop at the first they refuse, so an unknown
 * flag, a value of the wrong type or a subcommand the program lacks fails before the help
 * would be printed; a command line they accept ends in the help and exit 0. Nothing is started.
 * A file a flag names must be in one of the container's volume mounts: what the image itself
 * holds is not known here, so a flag pointing into the image is refused too.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { podSpecOf } from '@kubevirt-ci/kube';
import { imageTag, type Versions } from '@kubevirt-ci/topology';
import { refOf, type Finding, type ParsedObject } from '@kubevirt-ci/validate';
import { available, goProgram, programName, type Progress } from './go.ts';
import { programsByImage, type ProgramSource } from './sources.ts';

interface Container {
  readonly name: string;
  readonly image?: string;
  readonly command?: readonly string[];
  readonly args?: readonly string[];
  readonly volumeMounts?: readonly { readonly mountPath: string }[];
}

/**
 * Flags that name a file or directory the program reads or writes, by their names (--tls-cert,
 * --objstore.config-file, --path.procfs, --storage.tsdb.path); URL paths (--web.route-prefix,
 * --web.telemetry-path) are not files.
 */
const fileFlag = /(?:^|[.-])(?:file|path|dir|cert|key|ca|procfs|sysfs|rootfs)$/;
const urlFlag = /(?:route|prefix|telemetry|url|http)/;

/** Each --flag=/absolute/path of a file flag that no volume mount of the container holds. */
export function unmountedPaths(c: Container): { flag: string; value: string; mounts: string[] }[] {
  const mounts = (c.volumeMounts ?? []).map((m) => m.mountPath.replace(/\/+$/, '') || '/');
  const held = (p: string) => mounts.some((m) => m === '/' || p === m || p.startsWith(`${m}/`));
  const out: { flag: string; value: string; mounts: string[] }[] = [];
  for (const arg of [...(c.command ?? []).slice(1), ...(c.args ?? [])]) {
    const m = /^--?([A-Za-z0-9][A-Za-z0-9._-]*)=(\/.*)$/.exec(arg);
    if (!m || !fileFlag.test(m[1]!) || urlFlag.test(m[1]!) || m[2]!.includes('$(')) continue;
    if (!held(m[2]!.replace(/\/+$/, ''))) out.push({ flag: m[1]!, value: m[2]!, mounts });
  }
  return out;
}

/** Kubernetes expands $(VAR) from the container's env; any value does for parsing. */
const expandEnv = (arg: string) => arg.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, 'expanded-$1');

export interface FlagCheck {
  readonly findings: Finding[];
  /** One line per program that could not be had, with the reason. */
  readonly notes: string[];
  /** How many containers were parsed by their program. */
  readonly parsed: number;
}

export function checkFlags(objects: readonly ParsedObject[], versions: Versions, progress: Progress, env: NodeJS.ProcessEnv = process.env): FlagCheck {
  const programs = programsByImage(versions);
  const bins = new Map<ProgramSource, string | { unavailable: string }>();
  const binOf = (p: ProgramSource) => {
    if (!bins.has(p)) bins.set(p, available(() => goProgram(p, progress, env)));
    return bins.get(p)!;
  };
  const findings: Finding[] = [];
  const notes = new Set<string>();
  let parsed = 0;
  const cwd = mkdtempSync(join(tmpdir(), 'flags-'));
  try {
    for (const o of objects) {
      const pod = podSpecOf(o.value as unknown as Parameters<typeof podSpecOf>[0]);
      if (!pod) continue;
      const containers = [...((pod.spec['initContainers'] as Container[] | undefined) ?? []), ...((pod.spec['containers'] as Container[] | undefined) ?? [])];
      for (const c of containers) {
        const program = c.image ? programs.get(c.image) : undefined;
        if (!program) continue;
        const bin = binOf(program);
        if (typeof bin !== 'string') {
          notes.add(`flags: ${program.pkg}@${program.version} skipped: ${bin.unavailable}`);
          continue;
        }
        // A command replaces the image's entrypoint; it must still be the program.
        if (c.command?.length && posix.basename(c.command[0]!) !== programName(program.pkg)) continue;
        const argv = [...(c.command ?? []).slice(1), ...(c.args ?? [])].map(expandEnv);
        for (const u of unmountedPaths(c)) {
          findings.push({
            rule: 'flags/unmounted-path',
            severity: 'error',
            file: o.file,
            line: o.line,
            object: refOf(o.value),
            path: `${pod.path}.containers[name=${c.name}].args`,
            message: `--${u.flag}=${u.value}: no volume mount of container ${c.name} holds ${u.value} (it mounts ${u.mounts.join(', ') || 'nothing'}), so ${programName(program.pkg)} would not find it`,
            fix: `mount the volume that holds ${u.value} into container ${c.name}, or point --${u.flag} at a path it mounts`,
          });
        }
        const r = spawnSync(bin, [...argv, '--help'], { cwd, encoding: 'utf8', env: { PATH: '/usr/bin:/bin', HOME: cwd }, timeout: 60_000 });
        parsed++;
        if (r.status === 0) continue;
        const said = (r.stderr.trim() || r.stdout.trim()).split('\n').find((l) => /error|unknown|invalid|expected|not/i.test(l)) ?? `exit ${r.status ?? r.signal}`;
        findings.push({
          rule: 'flags/refused',
          severity: 'error',
          file: o.file,
          line: o.line,
          object: refOf(o.value),
          path: `${pod.path}.containers[name=${c.name}].args`,
          message: `${programName(program.pkg)} ${imageTag(c.image!)} refuses its command line: ${said}`,
          fix: `pass only flags ${program.pkg} defines at ${program.version}, with values of their type (see its --help)`,
        });
      }
    }
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
  return { findings, notes: [...notes], parsed };
}
