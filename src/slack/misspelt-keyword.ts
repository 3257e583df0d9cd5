// `/atlas-restore stauts RR-7K3P2Q`: a first word that is no cluster of the policy but a typo of a keyword was meant as
// that command. Said in any channel and to anyone (it tells nothing of the policy), with the rest of what was typed,
// rather than "no cluster", "not a snapshot id" or "not in this channel".
import { listClusters } from '../policy/policy.js';
import { escapeText } from './views/format.js';
import type { Services } from './services.js';
import { usageText } from './parse-command.js';

const KEYWORDS = ['status', 'list', 'drills', 'drill', 'help'] as const;

/** Optimal string alignment distance: `stauts` is one step from `status` (two letters swapped). */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/** The answer to a misspelt command word, or undefined when the first word is a keyword, a cluster or no near miss. */
export function misspeltKeyword(policy: Services['policy'], text: string): string | undefined {
  const [first = '', ...rest] = text.trim().split(/\s+/);
  const word = first.toLowerCase();
  // A cluster of the policy by that name, in any project (one in two projects is a question of which, not a typo).
  const isCluster = listClusters(policy).some((c) => c.cluster.toLowerCase() === word);
  if (word === '' || word.includes('/') || (KEYWORDS as readonly string[]).includes(word) || isCluster) return undefined;
  const [meant] = KEYWORDS.filter((k) => editDistance(word, k) <= (k.length > 4 ? 2 : 1)).sort((a, b) => editDistance(word, a) - editDistance(word, b));
  if (!meant) return undefined;
  // Echoed inside a code span: a backtick would end it, and Slack markup (<!channel>) must not come alive.
  const args = rest.length > 0 ? ` ${escapeText(rest.join(' ').replace(/`/g, "'"))}` : '';
  return `\`${escapeText(word.replace(/`/g, "'"))}\` is not a command (nor a cluster in the restore policy): did you mean \`/atlas-restore ${meant}${args}\`?\n\n${usageText()}`;
}
