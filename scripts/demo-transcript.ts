// The demo's printer: turns what lands in the fake Slack (messages, card edits, private replies) into a
// readable, timestamped transcript while it happens. Fits a 100-column terminal.
import { messageToText, type FakeSlack, type StoredMessage } from '../test/fakes/fake-slack.js';

export const WIDTH = 100;
const WHO_WIDTH = 14;
const PREFIX_WIDTH = 'HH:MM:SS  '.length + WHO_WIDTH + 1;

const EMOJI: Record<string, string> = {
  warning: '⚠', white_check_mark: '✅', heavy_check_mark: '✔', x: '❌', no_entry: '⛔', no_entry_sign: '🚫',
  hourglass_flowing_sand: '⏳', hourglass: '⌛', rocket: '🚀', hammer_and_wrench: '🛠', stopwatch: '⏱',
  lock: '🔒', information_source: 'ℹ', arrows_counterclockwise: '🔄', wastebasket: '🗑', clock3: '🕒',
  large_green_circle: '🟢', red_circle: '🔴', large_yellow_circle: '🟡', leftwards_arrow_with_hook: '↩',
  ballot_box_with_check: '☑', arrow_forward: '▶', grey_question: '❔', test_tube: '🧪', turtle: '🐢',
};

/** Slack mrkdwn → what a person sees: names for mentions, fallbacks for dates, link texts, no markup. */
export function renderMrkdwn(text: string, userName: (id: string) => string, channelName: (id: string) => string = (id) => id): string {
  return text
    .replace(/<@([UW][A-Z0-9]+)(?:\|[^>]*)?>/g, (_m, id: string) => `@${userName(id)}`)
    .replace(/<!subteam\^([A-Z0-9]+)(?:\|([^>]*))?>/g, (_m, id: string, label?: string) => label ?? `@${id}`)
    .replace(/<!date\^[^|>]*\|([^>]*)>/g, '$1')
    .replace(/<!(here|channel|everyone)>/g, '@$1')
    .replace(/<#[A-Z0-9]+\|([^>]*)>/g, '#$1')
    .replace(/<#([A-Z0-9]+)>/g, (_m, id: string) => `#${channelName(id)}`)
    .replace(/<(?:https?|mailto):[^|>]*\|([^>]*)>/g, '$1')
    .replace(/<((?:https?|mailto):[^>]*)>/g, '$1')
    .replace(/:([a-z0-9_+-]+):/g, (m, name: string) => EMOJI[name] ?? m)
    .replace(/(^|[\s(])\*([^*\n]+)\*(?=$|[\s).,:;!?])/gm, '$1$2')
    .replace(/(^|[\s(])_([^_\n]+)_(?=$|[\s).,:;!?])/gm, '$1$2')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** Word-wraps one logical line to `width` columns (long words are cut). */
export function wrapLine(line: string, width: number): string[] {
  if (line.length <= width) return [line];
  const lead = /^\s*(?:[-+•↳] )?/.exec(line)?.[0] ?? '';
  if (lead.length > 0 && lead.length < width / 2) {
    // Hanging indent: a bullet ("- ", "• ") starts the first line only; the rest line up under its text.
    const hang = ' '.repeat(lead.length);
    return wrapLine(line.slice(lead.length), width - lead.length).map((l, i) => (i === 0 ? lead : hang) + l);
  }
  const out: string[] = [];
  let current = '';
  for (const word of line.split(' ')) {
    let w = word;
    while (w.length > width) {
      if (current) {
        out.push(current);
        current = '';
      }
      out.push(w.slice(0, width));
      w = w.slice(width);
    }
    if (!current) current = w;
    else if (current.length + 1 + w.length <= width) current += ` ${w}`;
    else {
      out.push(current);
      current = w;
    }
  }
  if (current) out.push(current);
  return out;
}

function clock(): string {
  return new Date().toTimeString().slice(0, 8);
}

export type Write = (line: string) => void;

/** Prints `text` as said by `who`, first line with time and speaker, the rest indented under the text. */
export function say(write: Write, who: string, text: string, indent = ''): void {
  const width = WIDTH - PREFIX_WIDTH - indent.length;
  const lines = text.split('\n').flatMap((l) => wrapLine(l.trimEnd(), width));
  lines.forEach((line, i) => {
    const head = i === 0 ? `${clock()}  ${who.slice(0, WHO_WIDTH).padEnd(WHO_WIDTH)} ${indent}` : ' '.repeat(PREFIX_WIDTH + indent.length);
    write(`${head}${line}`.trimEnd());
  });
}

export interface TranscriptWatcher {
  /** Prints whatever changed since the last look (also runs on a timer). */
  flush(): void;
  stop(): void;
}

/** Watches one channel of the fake Slack and the private replies of everyone, printing changes as they come. */
export function watchSlack(slack: FakeSlack, channel: string, write: Write, intervalMs = 100): TranscriptWatcher {
  const userName = (id: string) => (id === slack.botUserId ? 'atlas-restore' : (slack.workspace.users.get(id)?.name ?? id));
  const channelOf = (id: string) => slack.workspace.channels.get(id)?.name ?? id;
  const render = (msg: { text?: string; blocks?: unknown[] }) => renderMrkdwn(messageToText({ ...msg, blocks: joinFieldLabels(msg.blocks) }), userName, channelOf);
  const seen = new Map<string, { edited?: string; text: string }>();
  let ephemeralsSeen = 0;

  function onMessage(msg: StoredMessage): void {
    const before = seen.get(msg.ts);
    const text = render(msg);
    if (!before) {
      seen.set(msg.ts, { text, ...(msg.edited ? { edited: msg.edited.ts } : {}) });
      if (msg.thread_ts) say(write, 'atlas-restore', text, '↳ ');
      else say(write, 'atlas-restore', `posted in #${channelName()}:\n${frame(text)}`);
      return;
    }
    if (msg.edited && msg.edited.ts !== before.edited) {
      seen.set(msg.ts, { text, edited: msg.edited.ts });
      say(write, 'atlas-restore', `card updated: ${describeChange(before.text, text)}`);
    }
  }

  function channelName(): string {
    return slack.workspace.channels.get(channel)?.name ?? channel;
  }

  function flush(): void {
    // Private answers first: they answer what someone just did, before what it caused in the channel.
    const ephemerals = slack.ephemerals();
    for (const eph of ephemerals.slice(ephemeralsSeen)) {
      say(write, 'atlas-restore', `(only @${userName(eph.user ?? '?')} sees this) ${render(eph)}`);
    }
    ephemeralsSeen = ephemerals.length;
    for (const msg of slack.messages(channel)) onMessage(msg);
  }

  const timer = setInterval(flush, intervalMs);
  return {
    flush,
    stop() {
      clearInterval(timer);
      flush();
    },
  };
}

/** Section fields read "*Label*\nvalue" in Slack (label above value); one line "Label: value" reads better here. */
export function joinFieldLabels(blocks: unknown[] | undefined): unknown[] {
  return (blocks ?? []).map((block) => {
    const b = block as { type?: string; fields?: { type: string; text: string }[] };
    if (b.type !== 'section' || !Array.isArray(b.fields)) return block;
    return { ...b, fields: b.fields.map((f) => ({ ...f, text: f.text.replace(/^\*([^*\n]+)\*\n/, '*$1:* ') })) };
  });
}

/** A card drawn in a box, so it stands out from the conversation around it. */
export function frame(text: string): string {
  const inner = WIDTH - PREFIX_WIDTH - 4;
  const lines = text.split('\n').flatMap((l) => wrapLine(l, inner));
  const bar = '─'.repeat(inner + 2);
  return [`┌${bar}┐`, ...lines.map((l) => `│ ${l.padEnd(inner)} │`), `└${bar}┘`].join('\n');
}

/** What changed between two renderings of a card: lines gone and lines new. */
export function describeChange(before: string, after: string): string {
  const old = new Set(before.split('\n'));
  const now = new Set(after.split('\n'));
  const added = [...now].filter((l) => !old.has(l));
  const removed = [...old].filter((l) => !now.has(l));
  if (added.length === 0 && removed.length === 0) return '(no visible change)';
  return [...removed.map((l) => `\n  - ${l}`), ...added.map((l) => `\n  + ${l}`)].join('');
}
