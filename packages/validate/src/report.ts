import { describeObject, type Finding } from './finding.ts';

export interface Report {
  readonly findings: readonly Finding[];
  /** Every file validated, with findings or not. */
  readonly files: readonly string[];
  readonly objects: number;
  /** Lines that say a stage did not run, and why. */
  readonly notes: readonly string[];
}

const byPlace = (a: Finding, b: Finding) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0));

export function counts(r: Report): { errors: number; warnings: number } {
  return { errors: r.findings.filter((f) => f.severity === 'error').length, warnings: r.findings.filter((f) => f.severity === 'warning').length };
}

/** Grouped by file, in line order, each with what to do. */
export function formatText(r: Report): string {
  const out: string[] = [...r.notes];
  let file: string | undefined;
  for (const f of [...r.findings].sort(byPlace)) {
    if (f.file !== file) {
      out.push(f.file || '(no file)');
      file = f.file;
    }
    const what = describeObject(f.object);
    out.push(`  ${f.line}: ${f.severity} ${f.rule}${what ? ` ${what}` : ''}${f.path ? ` (${f.path})` : ''}: ${f.message}`, `      fix: ${f.fix}`);
  }
  const { errors, warnings } = counts(r);
  out.push(`${errors} errors, ${warnings} warnings in ${r.files.length} files (${r.objects} objects)`);
  return out.join('\n') + '\n';
}

export function formatJson(r: Report): string {
  return JSON.stringify({ findings: [...r.findings].sort(byPlace), summary: { ...counts(r), files: r.files.length, objects: r.objects }, notes: r.notes }, null, 2) + '\n';
}

const xml = (s: string) => s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');

/** One test case per file with findings, one failure each; CI systems show these natively. */
export function formatJUnit(r: Report): string {
  const byFile = new Map<string, Finding[]>(r.files.map((f) => [f, []]));
  for (const f of [...r.findings].sort(byPlace)) byFile.set(f.file, [...(byFile.get(f.file) ?? []), f]);
  const failing = [...byFile.values()].filter((fs) => fs.some((f) => f.severity === 'error')).length;
  const cases = [...byFile].map(([file, fs]) => {
    const name = `    <testcase classname="validate" name="${xml(file || '(no file)')}"`;
    const failures = fs
      .filter((f) => f.severity === 'error')
      .map((f) => `      <failure type="${xml(f.rule)}" message="${xml(`${f.line}: ${f.message}`)}">${xml(`${describeObject(f.object)} ${f.path}\nfix: ${f.fix}`)}</failure>`);
    return failures.length === 0 ? `${name}/>` : `${name}>\n${failures.join('\n')}\n    </testcase>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites tests="${byFile.size}" failures="${failing}">`,
    `  <testsuite name="kubevirt-ci validate" tests="${byFile.size}" failures="${failing}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
