// Reads and validates the policy file. Every problem is reported at once, each with the path
// of the bad field, so an operator can fix the file in one go.
import { readFile } from 'node:fs/promises';
import { rulesFor } from './policy.js';
import { nameDrills, referenceProblems } from './check-references.js';
import { isSlackGroupId } from './names.js';
import { parseDocument, type Document } from 'yaml';
import { expansionProblem, sizeProblem } from './yaml-limits.js';
import type { z } from 'zod';
import { policySchema, type Policy } from './policy-schema.js';

export type PolicyErrorCode = 'POLICY_INVALID' | 'POLICY_UNREADABLE';

export class PolicyError extends Error {
  override readonly name = 'PolicyError';
  constructor(
    readonly code: PolicyErrorCode,
    message: string,
    /** One line per problem, e.g. `projects[0].clusters[1].type: expected one of flex|dedicated|serverless`. */
    readonly problems: readonly string[] = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** `projects[0].clusters[1].type`; the root is `(root)`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out === '' ? '(root)' : out;
}

function describeType(input: unknown): string {
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'a list';
  if (typeof input === 'object') return 'a mapping';
  return `a ${typeof input}`;
}

/** YAML reads `2024`, `0123` or `true` unquoted as a number or a boolean: where a string was expected, say how to write one. */
function quoteHint(expected: string, input: unknown): string {
  if (expected !== 'string') return '';
  if (typeof input === 'number') return ' (quote it, e.g. "2024": YAML reads unquoted digits as a number)';
  if (typeof input === 'boolean') return ` (quote it: "${String(input)}")`;
  return '';
}

// Friendlier wording for zod's generic messages; schema-level messages take precedence over this.
const friendlyError = (issue: z.core.$ZodRawIssue): string | undefined => {
  if (issue.code === 'invalid_type') {
    if (issue.input === undefined) return 'is required';
    const expected = issue.expected === 'array' ? 'a list' : issue.expected === 'object' ? 'a mapping' : `a ${issue.expected}`;
    return `expected ${expected}, got ${describeType(issue.input)}${quoteHint(issue.expected, issue.input)}`;
  }
  return undefined;
};

function issuesToProblems(issues: readonly z.core.$ZodIssue[]): string[] {
  const problems: string[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) problems.push(`${formatPath([...issue.path, key])}: unknown key "${key}"`);
    } else {
      problems.push(`${formatPath(issue.path)}: ${issue.message}`);
    }
  }
  return problems;
}

function invalid(sourceName: string, problems: string[]): PolicyError {
  const message = `Policy ${sourceName} is invalid (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n  - ${problems.join('\n  - ')}`;
  return new PolicyError('POLICY_INVALID', message, problems);
}

/** Parses a policy from YAML or JSON text (JSON is YAML). Throws PolicyError POLICY_INVALID. */
export function parsePolicy(text: string, sourceName: string): Policy {
  const tooBig = sizeProblem(text);
  if (tooBig) throw invalid(sourceName, [tooBig]);
  const doc = parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw invalid(
      sourceName,
      doc.errors.map((e) => {
        const pos = e.linePos?.[0];
        return `${pos ? `line ${pos.line}, column ${pos.col}` : '(syntax)'}: ${(e.message.split('\n')[0] ?? e.message).replace(/ at line \d+, column \d+:?$/, '')}`;
      }),
    );
  }
  const data = toData(doc, text, sourceName);
  if (data === null || data === undefined) throw invalid(sourceName, ['(root): the file is empty']);
  const expanded = expansionProblem(data);
  if (expanded) throw invalid(sourceName, [expanded]);
  const result = policySchema.safeParse(data, { error: friendlyError });
  if (!result.success) throw invalid(sourceName, nameDrills(issuesToProblems(result.error.issues), data));
  const unreachable = unreachableApprovals(result.data);
  unreachable.push(...referenceProblems(result.data)); // drills and safety snapshots (check-references.ts)
  if (unreachable.length > 0) throw invalid(sourceName, unreachable);
  return result.data;
}

/**
 * The document as plain values. Aliases are counted by expansionProblem, not by the YAML reader's maxAliasCount (100
 * uses of one anchor, which refuses a plain `approvers: *oncall` on 101 clusters). Whatever else the reader throws
 * (an alias to an anchor defined later) is a problem of the file, not a crash.
 */
function toData(doc: Document, text: string, sourceName: string): unknown {
  try {
    return doc.toJS({ maxAliasCount: -1 });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    // The reader names the alias but not where it is: the line of its first use, as the syntax errors give theirs.
    const name = /^Unresolved alias[^:]*:\s*(\S+)$/.exec(message)?.[1];
    if (name !== undefined) throw invalid(sourceName, [unresolvedAliasProblem(text, name)]);
    throw invalid(sourceName, [`(root): ${message}`]);
  }
}

/** Where an alias without an earlier anchor is used, and whether its anchor is anywhere at all. */
function unresolvedAliasProblem(text: string, name: string): string {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  // The whole name, outside a comment: `*ops` is not the start of `*opsteam`.
  const use = new RegExp(`(^|[\\s,[{:-])\\*${escaped}(?=$|[\\s,\\]}])`);
  const anchor = new RegExp(`(^|[\\s,[{:-])&${escaped}(?=$|[\\s,\\]}])`);
  const lines = text.split('\n').map((l) => l.replace(/(^|\s)#.*$/, ''));
  const line = lines.findIndex((l) => use.test(l)) + 1;
  const where = line > 0 ? `line ${line}` : '(root)';
  if (!lines.some((l) => anchor.test(l))) return `${where}: the alias *${name} names no anchor &${name} in the file`;
  return `${where}: the alias *${name} is used before its anchor &${name}: move the anchor above its first use`;
}

/**
 * A cluster whose rules ask for more approvals than its approvers can give would accept requests that can never be
 * approved. Only checkable when every approver is a user id (a group's size is Slack's to know). No approvers at all
 * is allowed: such a cluster can be a source but nobody can approve restores into it (deny by default).
 */
function unreachableApprovals(policy: Policy): string[] {
  const problems: string[] = [];
  policy.projects.forEach((project, i) => {
    project.clusters.forEach((cluster, j) => {
      const rules = rulesFor(policy, { project: project.name, groupId: project.id, cluster: cluster.name });
      if (rules.approvers.some(isSlackGroupId)) return;
      const approvers = new Set(rules.approvers).size;
      if (approvers > 0 && approvers < rules.approval.required) {
        problems.push(
          `projects[${i}].clusters[${j}] (${project.name}/${cluster.name}): needs ${rules.approval.required} approval(s) but only ${approvers} approver(s) are listed`,
        );
      }
    });
  });
  return problems;
}

/** Reads and parses the policy file. Throws PolicyError POLICY_UNREADABLE or POLICY_INVALID. */
export async function loadPolicy(path: string): Promise<Policy> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const reason = err instanceof Error && 'code' in err ? String((err as NodeJS.ErrnoException).code) : String(err);
    throw new PolicyError('POLICY_UNREADABLE', `Policy file ${path} cannot be read (${reason})`, [], { cause: err });
  }
  return parsePolicy(text, path);
}
