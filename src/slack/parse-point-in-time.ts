// The `<time>` of `/atlas-restore <source> at <time>`: ISO 8601 with its zone, or Unix seconds. Pure and total.
// A time without a zone is refused, never guessed: "14:05" means another second in Paris than in New York, and a
// restore to the wrong second is exactly what the command must not do silently.

export type ParsedTime = { ok: true; utcSeconds: number } | { ok: false; message: string };

// Date, `T`, hours and minutes, optional seconds and fraction, then the zone: `Z`, `±HH:MM`, `±HHMM` or `±HH`.
const ISO = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/i;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const MAX_SHOWN = 40;

function shown(text: string): string {
  const clipped = text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN)}…` : text;
  return `“${clipped.replace(/[`<>&]/g, '')}”`;
}

/** Minutes east of UTC, or undefined for an offset no zone has (beyond ±18:00, minutes ≥ 60). */
function offsetMinutes(zone: string): number | undefined {
  if (zone.toUpperCase() === 'Z') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
  if (minutes >= 60 || hours * 60 + minutes > 18 * 60) return undefined;
  return sign * (hours * 60 + minutes);
}

export function parsePointInTime(text: string): ParsedTime {
  const example = 'e.g. `2026-12-01T14:05Z` (UTC), `2026-12-01T15:05+01:00` or Unix seconds `1796133900`';
  if (/^\d+$/.test(text)) {
    // 13 digits is what JavaScript's Date.now() gives: milliseconds, a thousand times too far in the future.
    if (text.length >= 13) return { ok: false, message: `${shown(text)} looks like milliseconds: give Unix seconds (10 digits), ${example}.` };
    return { ok: true, utcSeconds: Number(text) };
  }
  if (DATE_ONLY.test(text)) return { ok: false, message: `${shown(text)} is a date without a time: give the time and its zone too, ${example}.` };
  const m = ISO.exec(text);
  if (!m) return { ok: false, message: `${shown(text)} isn't a time: write ISO 8601 with its zone or Unix seconds, ${example}.` };
  const [year, month, day, hour, minute, second = 0] = m.slice(1, 7).map((v) => (v === undefined ? undefined : Number(v))) as number[];
  const zone = m[8];
  if (zone === undefined) {
    return { ok: false, message: `${shown(text)} has no time zone, and a clock time is a different moment in each zone: add one, e.g. \`${text}Z\` for UTC or \`${text}+01:00\`.` };
  }
  const local = Date.UTC(year!, month! - 1, day!, hour!, minute!, second);
  const d = new Date(local);
  // Date.UTC rolls 30 February over to March: a date that doesn't exist must not become another one.
  const real = d.getUTCFullYear() === year && d.getUTCMonth() === month! - 1 && d.getUTCDate() === day && d.getUTCHours() === hour && d.getUTCMinutes() === minute && d.getUTCSeconds() === second;
  const offset = offsetMinutes(zone);
  if (!real || offset === undefined) return { ok: false, message: `${shown(text)} isn't a real time (check the date, the hour and the zone), ${example}.` };
  // Atlas restores to whole seconds: a fraction is dropped, never rounded up into a second that hadn't happened.
  return { ok: true, utcSeconds: Math.floor((local - offset * 60_000) / 1000) };
}

/** `2026-12-01` followed by `14:05Z`: a space Slack users type instead of the `T`. */
export function joinsDateAndTime(date: string, time: string | undefined): boolean {
  return DATE_ONLY.test(date) && time !== undefined && /^\d{2}:\d{2}/.test(time);
}
