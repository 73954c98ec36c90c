/**
 * Every container's command line, parsed by the real program's own flag parser at the version
 * its image was built from: the rendered args, then --help last. The parsers we meet
 * (kingpin, pflag) read every flag in order and stop at the first they refuse, so an unknown
 * flag, a value of the wrong type or a subcommand the program lacks fails before the help
 * would be printed; a command line they accept ends in the help and exit 0. Nothing is started.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { podSpecOf } from '@kubevirt-ci/kube';
import type { Versions } from '@kubevirt-ci/topology';
import { refOf, type Finding, type ParsedObject } from '@kubevirt-ci/validate';
import { available, goProgram, programName, type Progress } from './go.ts';
import { programsByImage, type ProgramSource } from './sources.ts';

interface Container {
  readonly name: string;
  readonly image?: string;
  readonly command?: readonly string[];
  readonly args?: readonly string[];
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
    if (!bins.has(p)) bins.set(p, available(() => goProgram(p.module, p.pkg, p.version, progress, env)));
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
          message: `${programName(program.pkg)} ${program.version} refuses its command line: ${said}`,
          fix: `pass only flags ${program.pkg} defines at ${program.version}, with values of their type (see its --help)`,
        });
      }
    }
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
  return { findings, notes: [...notes], parsed };
}
