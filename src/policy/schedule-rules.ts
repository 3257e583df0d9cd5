// The checks of a drill's `schedule` and `timeZone`. The cron grammar is the one BullMQ schedules with
// (cron-parser, the same version BullMQ depends on), so what the policy accepts is what will actually run.
import { CronExpressionParser } from 'cron-parser';

/** A problem with a 5-field cron expression, or undefined when it is valid. */
export function cronProblem(expression: string): string | undefined {
  const fields = expression.trim().split(/\s+/).filter(Boolean);
  // cron-parser also takes 6 fields (seconds) and @daily-style names; the policy promises 5 fields.
  if (fields.length !== 5) {
    return `"${expression}" is not a cron expression of 5 fields (minute hour day-of-month month day-of-week), it has ${fields.length}`;
  }
  // `H` (a hashed value) is drawn again each time BullMQ reads the pattern, with no seed: every run's next time
  // would be random, a drill could run twice in a night. No month or day name starts with an H.
  if (fields.some((field) => field.split(',').some((item) => /^h/i.test(item)))) {
    return `"${expression}" uses H (a random minute or hour): give the time itself, e.g. "17 3 * * 1"`;
  }
  try {
    CronExpressionParser.parse(fields.join(' '), { tz: 'UTC' });
    return undefined;
  } catch (err) {
    return `"${expression}" is not a valid cron expression (${err instanceof Error ? err.message : String(err)})`;
  }
}

/** True for an IANA time zone the runtime knows (Intl.DateTimeFormat throws a RangeError on others). */
export function isTimeZone(zone: string): boolean {
  if (zone.trim() === '') return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
