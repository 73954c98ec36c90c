import { spawnSync } from 'node:child_process';
import { versions } from '@kubevirt-ci/topology';
import { goProgram, scheduleParsers } from '../src/index.ts';
import { describe, expect, it } from 'vitest';
import { cronError, goDurationError } from '@kubevirt-ci/kube';

// Schedules and durations as job authors write them, right and wrong. A step of 0 is left
// out of what the real parser is given: cron.v2 loops for ever on it (getBits), which ours
// refuses instead.
const crons = [
  '0 3 * * *', '17 23 * * *', '*/5 * * * *', '0 0 1 jan *', '0 12 * * mon-fri', '0 0 * * SUN', '30 0 3 * * *', '0 8-18/2 * * 1-5',
  '@daily', '@hourly', '@every 1h30m', 'TZ=UTC 0 3 * * *', '0 3 * *', '0 3 * * * * *', '60 3 * * *', '0 24 * * *', '0 0 0 * *',
  '0 0 * 13 *', '0 0 * * 7', '5-1 * * * *', 'a b c d e', '@fortnightly', '@every forever', '0 3 * * fri-mon', '*/x * * * *', '1-2-3 * * * *', '',
];
const durations = ['1h', '90m', '1h30m', '2.5h', '.5s', '0', '300ms', '1us', 'forever', '1d', '', '1', 'h', '-1h', '1h 30m', '1.h'];

function realVerdicts(lines: readonly string[]): string[] {
  const bin = goProgram(scheduleParsers(versions));
  const r = spawnSync(bin, [], { input: lines.map((l) => `${l}\n`).join(''), encoding: 'utf8', timeout: 30_000 });
  expect(r.status).toBe(0);
  return r.stdout.trim().split('\n');
}

describe('cron schedules and durations, as Prow and Kubernetes parse them', () => {
  it("refuse and accept exactly what the programs' own parsers do (cron.v2 at Prow's pin, cron v3 at Kubernetes', Go's time.ParseDuration)", () => {
    const lines = [...crons.map((c) => `cron ${c}`), ...crons.map((c) => `kube-cron ${c}`), ...durations.map((d) => `duration ${d}`)];
    const ours = [...crons.map((c) => (cronError(c, 'prow') ? 'refused' : 'ok')), ...crons.map((c) => (cronError(c, 'kubernetes') ? 'refused' : 'ok')), ...durations.map((d) => (goDurationError(d) ? 'refused' : 'ok'))];
    const real = realVerdicts(lines);
    expect(Object.fromEntries(lines.map((l, i) => [l, ours[i]]))).toEqual(Object.fromEntries(lines.map((l, i) => [l, real[i]])));
    // Prow takes seconds and a TZ= prefix; a CronJob neither.
    expect([ours.slice(0, crons.length), ours.slice(crons.length, 2 * crons.length)].map((v) => v.filter((x) => x === 'refused').length)).toEqual([15, 17]);
  });

  it('say why, in words a job author can act on', () => {
    expect(cronError('0 3 * *')).toBe(`"0 3 * *" has 4 fields; Prow's cron takes 5 (minute hour day-of-month month day-of-week) or 6 (seconds first)`);
    expect(cronError('30 0 3 * * *', 'kubernetes')).toBe('"30 0 3 * * *" has 6 fields; a CronJob schedule takes exactly 5 (minute hour day-of-month month day-of-week)');
    expect(cronError('TZ=UTC 0 3 * * *', 'kubernetes')).toBe('"TZ=UTC 0 3 * * *" names a time zone in the schedule; Kubernetes refuses that: set spec.timeZone');
    expect(cronError('0 24 * * *')).toBe('"0 24 * * *": the hour 24 is above 23');
    expect(cronError('*/0 * * * *')).toBe('"*/0 * * * *": a step of 0 never advances');
    expect(goDurationError('forever')).toBe('"forever" is not a duration such as 1h30m');
    expect(goDurationError('1d')).toBe('"1d" has unit "d"; Go durations use ns, us, µs, μs, ms, s, m, h');
  });
});
