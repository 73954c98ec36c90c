/**
 * The cron and duration parsers of the programs we configure, as our own code, from their
 * source: Go's time.ParseDuration (Prow's timeouts and intervals); for Prow's periodics,
 * gopkg.in/robfig/cron.v2's Parse at the version Prow's go.mod pins
 * (v2.0.0-20150107220207-be2e0b0deed5, parser.go and spec.go), which pkg/config/config.go
 * calls at our Prow commit; for a CronJob, github.com/robfig/cron/v3 v3.0.1's ParseStandard
 * and the TZ rule of validateScheduleFormat (pkg/apis/batch/validation at our Kubernetes pin).
 * Each returns why the program would refuse the value, or undefined.
 */

const durationUnits = ['ns', 'us', 'µs', 'μs', 'ms', 's', 'm', 'h'];

/** Why Go's time.ParseDuration refuses s ("1h30m", "90s", "0"), or undefined. */
export function goDurationError(s: string): string | undefined {
  if (s === '0' || s === '+0' || s === '-0') return undefined;
  const body = s.replace(/^[-+]/, '');
  if (body === '') return `"${s}" is not a duration`;
  const component = /^(\d*)(?:\.(\d*))?([^\d.\s]+)/;
  let rest = body;
  while (rest !== '') {
    const m = component.exec(rest);
    if (!m || (m[1] === '' && (m[2] ?? '') === '')) return `"${s}" is not a duration such as 1h30m`;
    if (!durationUnits.includes(m[3]!)) return `"${s}" has unit "${m[3]}"; Go durations use ${durationUnits.join(', ')}`;
    rest = rest.slice(m[0].length);
  }
  return undefined;
}

interface Bounds {
  readonly min: number;
  readonly max: number;
  readonly names?: Readonly<Record<string, number>>;
}

const months = { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 };
const days = { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 };
/** Second, minute, hour, day of month, month, day of week. */
const fields: readonly (Bounds & { readonly what: string })[] = [
  { what: 'second', min: 0, max: 59 },
  { what: 'minute', min: 0, max: 59 },
  { what: 'hour', min: 0, max: 23 },
  { what: 'day of month', min: 1, max: 31 },
  { what: 'month', min: 1, max: 12, names: months },
  { what: 'day of week', min: 0, max: 6, names: days },
];
const descriptors = ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'];

function number(expr: string, b: Bounds): number | string {
  const named = b.names?.[expr.toLowerCase()];
  if (named !== undefined) return named;
  return /^\+?\d+$/.test(expr) ? Number(expr) : `"${expr}" is not a number`;
}

function rangeError(expr: string, b: Bounds & { what: string }): string | undefined {
  const [range, step, ...more] = expr.split('/');
  if (more.length) return `too many slashes in "${expr}"`;
  if (step !== undefined && !/^\+?\d+$/.test(step)) return `step "${step}" is not a number`;
  // cron v3 refuses it; cron.v2's getBits loops for ever on it, so Prow would hang loading the config.
  if (step !== undefined && Number(step) === 0) return 'a step of 0 never advances';
  if (range === '*' || range === '?') return undefined;
  const [low, high, ...extra] = range!.split('-');
  if (extra.length) return `too many hyphens in "${expr}"`;
  const start = number(low!, b);
  if (typeof start === 'string') return start;
  const end = high === undefined ? (step !== undefined ? b.max : start) : number(high, b);
  if (typeof end === 'string') return end;
  if (start < b.min) return `the ${b.what} ${start} is below ${b.min}`;
  if (end > b.max) return `the ${b.what} ${end} is above ${b.max}`;
  if (start > end) return `the range ${expr} of the ${b.what} runs backwards`;
  return undefined;
}

/**
 * Whose cron: Prow's (cron.v2: an optional seconds field first, a TZ= prefix) or a CronJob's
 * (cron v3's standard parser: five fields; Kubernetes refuses any TZ in the schedule, a
 * CronJob has spec.timeZone for that).
 */
export type CronDialect = 'prow' | 'kubernetes';

const fieldWords: Record<CronDialect, string> = {
  prow: "Prow's cron takes 5 (minute hour day-of-month month day-of-week) or 6 (seconds first)",
  kubernetes: 'a CronJob schedule takes exactly 5 (minute hour day-of-month month day-of-week)',
};

/** Why the dialect's parser refuses spec ("0 3 * * *", "@daily"), or undefined. */
export function cronError(spec: string, dialect: CronDialect = 'prow'): string | undefined {
  let s = spec;
  if (dialect === 'kubernetes' && s.includes('TZ')) return `"${spec}" names a time zone in the schedule; Kubernetes refuses that: set spec.timeZone`;
  if (dialect === 'kubernetes' && s === '') return 'the schedule is empty';
  if (s.startsWith('TZ=')) {
    const space = s.indexOf(' ');
    if (space < 0) return `"${spec}" names a time zone and no schedule`;
    s = s.slice(space).trim();
  }
  if (s.startsWith('@')) {
    if (descriptors.includes(s)) return undefined;
    if (s.startsWith('@every ')) return goDurationError(s.slice('@every '.length));
    return `"${spec}" is not a descriptor Prow knows (${descriptors.join(', ')}, @every <duration>)`;
  }
  const parts = s.split(/\s+/).filter((p) => p !== '');
  if (parts.length !== 5 && (dialect === 'kubernetes' || parts.length !== 6)) return `"${spec}" has ${parts.length} fields; ${fieldWords[dialect]}`;
  const given = parts.length === 5 ? ['0', ...parts] : parts;
  for (let i = 0; i < 6; i++) {
    for (const expr of given[i]!.split(',').filter((e) => e !== '')) {
      const err = rangeError(expr, fields[i]!);
      if (err) return `"${spec}": ${err}`;
    }
  }
  return undefined;
}
