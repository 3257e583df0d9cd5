// `drills:` (DESIGN §2, §6): restores the policy pre-approves, on a schedule or by `/atlas-restore drill <name>`.
// Field-level rules live here; the rules that look at the clusters (scratch target, known clusters, types) are in
// check-references.ts, because they need the whole, already valid, policy.
import { z } from 'zod';
import { SLACK_CHANNEL_ID_PATTERN } from './names.js';
import { parseNamespaces } from './parse-namespaces.js';
import { cronProblem, isTimeZone } from './schedule-rules.js';

/** Typed in `/atlas-restore drill <name>`: no spaces or slashes. */
export const DRILL_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

const drillSchema = z.strictObject({
  name: z.string().regex(DRILL_NAME_PATTERN, {
    error: 'expected a drill name of letters, digits, ".", "_" or "-" (no spaces), at most 64',
  }),
  // `cluster` or `project/cluster`, like a command; resolved against the clusters in check-references.ts.
  source: z.string().trim().min(1, { error: 'expected a cluster: cluster or project/cluster' }),
  target: z.string().trim().min(1, { error: 'expected a cluster: cluster or project/cluster' }),
  schedule: z.string().check((ctx) => {
    const problem = cronProblem(ctx.value);
    if (problem) ctx.issues.push({ code: 'custom', message: problem, input: ctx.value });
  }),
  timeZone: z
    .string()
    .refine(isTimeZone, { error: (issue) => `"${String(issue.input)}" is not an IANA time zone (e.g. Europe/Berlin, UTC)` })
    .default('UTC'),
  channel: z.string().regex(SLACK_CHANNEL_ID_PATTERN, { error: 'expected a Slack channel id (C…, G… or D…)' }),
  only: z
    .array(z.string(), { error: 'expected a list of namespaces (db or db.collection)' })
    .check((ctx) => {
      const parsed = parseNamespaces(ctx.value);
      if (!parsed.ok) for (const problem of parsed.problems) ctx.issues.push({ code: 'custom', message: problem, input: ctx.value });
    })
    .optional(),
});

function nameOf(value: unknown): string | undefined {
  const name = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)['name'] : undefined;
  return typeof name === 'string' ? name : undefined;
}

export const drillsSchema = z
  .array(drillSchema)
  // Runs even when a drill has other problems, so every problem is reported at once.
  .superRefine(
    (drills, ctx) => {
      const seen = new Map<string, number>();
      (Array.isArray(drills) ? (drills as unknown[]) : []).forEach((drill, i) => {
        const name = nameOf(drill);
        if (name === undefined) return;
        const first = seen.get(name.toLowerCase());
        if (first !== undefined) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `duplicate drill name "${name}" (also drills[${first}])` });
        else seen.set(name.toLowerCase(), i);
      });
    },
    { when: () => true },
  );

export type Drill = z.output<typeof drillSchema>;
