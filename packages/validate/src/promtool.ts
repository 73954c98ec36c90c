/**
 * Every PrometheusRule's groups through `promtool check rules` of the Prometheus we run: the
 * rule file format, every expression, durations and labels as that Prometheus reads them.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { Finding } from './finding.ts';
import { refOf, type ParsedObject } from './parse.ts';

export const isPrometheusRule = (o: ParsedObject) => o.value['kind'] === 'PrometheusRule' && String(o.value['apiVersion'] ?? '').startsWith('monitoring.coreos.com/');

/** What promtool says after FAILED, without the temporary file's name. */
export function promtoolErrors(stderr: string, file: string): string[] {
  const after = stderr.split('\n').slice(stderr.split('\n').findIndex((l) => l.trim() === 'FAILED:') + 1);
  return after
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .map((l) => (l.startsWith(`${file}: `) ? l.slice(file.length + 2) : l).replace(/^\d+:\d+: /, ''));
}

export function checkRulesWithPromtool(objects: readonly ParsedObject[], promtool: string): { findings: Finding[]; notes: string[] } {
  const rules = objects.filter(isPrometheusRule);
  const findings: Finding[] = [];
  const notes: string[] = [];
  if (rules.length === 0) return { findings, notes };
  const dir = mkdtempSync(join(tmpdir(), 'promtool-'));
  try {
    rules.forEach((o, i) => {
      const file = join(dir, `${i}.yaml`);
      const spec = (o.value['spec'] ?? {}) as { groups?: unknown };
      writeFileSync(file, stringify({ groups: spec.groups ?? [] }));
      const r = spawnSync(promtool, ['check', 'rules', '--lint=duplicate-rules', file], { encoding: 'utf8' });
      if (r.error) {
        notes.push(`promtool: could not run ${promtool}: ${r.error.message}`);
        return;
      }
      if (r.status === 0) return;
      const base = { rule: 'promtool/rules', severity: 'error' as const, file: o.file, line: o.line, object: refOf(o.value), path: 'spec.groups' };
      // promtool can print one error twice (once parsing the file, once checking its groups).
      const errors = [...new Set(promtoolErrors(r.stderr, file))];
      for (const message of errors.length ? errors : [`promtool exited ${r.status}: ${r.stderr.trim() || r.stdout.trim()}`]) {
        findings.push({ ...base, message, fix: 'write the rule as the pinned Prometheus reads it (promtool check rules)' });
      }
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { findings, notes };
}
