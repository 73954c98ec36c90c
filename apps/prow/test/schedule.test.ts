import { spawnSync } from 'node:child_process';
import { goProgram, prowScheduleParser } from '@kubevirt-ci/upstream';
import { describe, expect, it } from 'vitest';
import { cronError, goDurationError } from '../src/config/schedule.ts';

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
  const bin = goProgram(prowScheduleParser());
  const r = spawnSync(bin, [], { input: lines.map((l) => `${l}\n`).join(''), encoding: 'utf8', timeout: 30_000 });
  expect(r.status).toBe(0);
  return r.stdout.trim().split('\n');
}

describe("Prow's schedule and duration rules", () => {
  it("refuse and accept exactly what Prow's own parsers (cron.v2 at Prow's pin, Go's time.ParseDuration) do", () => {
    const lines = [...crons.map((c) => `cron ${c}`), ...durations.map((d) => `duration ${d}`)];
    const ours = [...crons.map((c) => (cronError(c) ? 'refused' : 'ok')), ...durations.map((d) => (goDurationError(d) ? 'refused' : 'ok'))];
    expect(Object.fromEntries(lines.map((l, i) => [l, ours[i]]))).toEqual(Object.fromEntries(lines.map((l, i) => [l, realVerdicts(lines)[i]])));
    expect(ours.filter((v) => v === 'refused').length).toBe(21);
  });

  it('say why, in words a job author can act on', () => {
    expect(cronError('0 3 * *')).toBe(`"0 3 * *" has 4 fields; Prow's cron takes 5 (minute hour day-of-month month day-of-week) or 6 (seconds first)`);
    expect(cronError('0 24 * * *')).toBe('"0 24 * * *": the hour 24 is above 23');
    expect(cronError('*/0 * * * *')).toBe('"*/0 * * * *": a step of 0 never advances');
    expect(goDurationError('forever')).toBe('"forever" is not a duration such as 1h30m');
    expect(goDurationError('1d')).toBe('"1d" has unit "d"; Go durations use ns, us, µs, μs, ms, s, m, h');
  });
});
