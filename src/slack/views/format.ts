// Small text helpers shared by the Block Kit builders. Pure.

/** Escapes the three characters Slack treats as markup in mrkdwn and plain text. */
export function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** `<@U…>` for users, `<!subteam^S…>` for user groups; a drill's requester (`drill:<name>`) is the drill itself. */
export function mention(id: string): string {
  if (id.startsWith('drill:')) return `the drill \`${escapeText(id.slice('drill:'.length))}\``;
  return id.startsWith('S') ? `<!subteam^${id}>` : `<@${id}>`;
}

export function mentionList(ids: readonly string[]): string {
  return ids.map(mention).join(', ');
}

function pad(n: string | undefined): string {
  return (n ?? '').padStart(2, '0');
}

/** One formatter per zone: building an Intl.DateTimeFormat costs more than formatting a date with it. */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    const options: Intl.DateTimeFormatOptions = {
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'short',
    };
    try {
      formatter = new Intl.DateTimeFormat('en-US', { ...options, timeZone });
    } catch {
      formatter = new Intl.DateTimeFormat('en-US', { ...options, timeZone: 'UTC' }); // an unknown zone from users.info must not break the modal
    }
    if (formatters.size < 1000) formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** "2026-11-28 02:00 CET" in the given IANA zone (falls back to UTC for an unknown zone). */
export function formatInTimeZone(iso: string, timeZone: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const parts = formatterFor(timeZone).formatToParts(date);
  const get = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value;
  return `${get('year')}-${pad(get('month'))}-${pad(get('day'))} ${pad(get('hour'))}:${pad(get('minute'))} ${get('timeZoneName') ?? ''}`.trim();
}

/** A Slack date token: shown in each reader's own timezone, with a UTC fallback. */
export function slackDate(iso: string, format = '{date_short_pretty} {time}'): string {
  const ms = new Date(iso).getTime();
  if (Number.isNaN(ms)) return escapeText(iso);
  return `<!date^${Math.floor(ms / 1000)}^${format}|${formatInTimeZone(iso, 'UTC')}>`;
}

/** "42 s", "12 min", "1 h 5 min", "2 d 3 h". */
export function formatDuration(ms: number): string {
  const totalSeconds = Math.max(0, Math.round(ms / 1000));
  if (totalSeconds < 60) return `${totalSeconds} s`;
  const minutes = Math.floor(totalSeconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
  const days = Math.floor(hours / 24);
  return hours % 24 === 0 ? `${days} d` : `${days} d ${hours % 24} h`;
}

/** Milliseconds between two ISO times, or undefined when either is missing/invalid. */
export function between(fromIso: string | undefined, toIso: string | undefined): number | undefined {
  if (!fromIso || !toIso) return undefined;
  const ms = new Date(toIso).getTime() - new Date(fromIso).getTime();
  return Number.isNaN(ms) ? undefined : ms;
}

/** Cuts a plain-text string to Slack's limit for the field. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Slack cuts a message's top-level text past 40,000 characters (it doesn't refuse it). */
export const MAX_MESSAGE_TEXT = 40_000;

/**
 * A long text as several messages of at most `max` characters, cut between lines so that no line is cut, and at
 * most `maxParts` of them (the last then says that the rest was left out). A line longer than `max` is clipped.
 */
export function splitText(text: string, max = MAX_MESSAGE_TEXT, maxParts = Infinity): string[] {
  const parts: string[] = [];
  let current: string | undefined;
  for (const line of text.split('\n').map((l) => clip(l, max))) {
    if (current !== undefined && current.length + 1 + line.length <= max) current += `\n${line}`;
    else {
      if (current !== undefined) parts.push(current);
      current = line;
    }
  }
  if (current !== undefined) parts.push(current);
  if (parts.length <= maxParts) return parts;
  const note = `\n_…cut short: ${parts.length - maxParts} more message${parts.length - maxParts === 1 ? '' : 's'} of it would not fit._`;
  const kept = parts.slice(0, maxParts);
  const last = kept[maxParts - 1]!.split('\n');
  while (last.length > 1 && last.join('\n').length + note.length > max) last.pop();
  kept[maxParts - 1] = clip(last.join('\n'), max - note.length) + note;
  return kept;
}
