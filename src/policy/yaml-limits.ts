// What a policy file may cost to read. It is parsed on the event loop (at start and on every reload), so a file too big,
// or one whose YAML aliases expand into millions of values, would stall every Slack answer while it is checked.

/** Bytes of the file: ten times what a policy of a thousand clusters takes. */
export const MAX_POLICY_BYTES = 1024 * 1024;

/**
 * Values (mappings, lists, scalars) the file may stand for once its aliases are expanded. A file within
 * MAX_POLICY_BYTES holds fewer without aliases, so only aliases repeated past any use (an alias bomb) reach it.
 */
export const MAX_POLICY_VALUES = 1_000_000;

/** The problem with the file's size, if any. */
export function sizeProblem(text: string): string | undefined {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes <= MAX_POLICY_BYTES) return undefined;
  return `(root): the file is ${bytes.toLocaleString('en-US')} bytes; a policy may be at most ${MAX_POLICY_BYTES.toLocaleString('en-US')} bytes (1 MB)`;
}

/**
 * The problem with what the file expands to, if any. Aliases are shared, not copied, by the YAML reader: counting them
 * here, each time they are used, is what bounds the checks that follow. Iterative, so deep nesting can't overflow.
 */
export function expansionProblem(data: unknown): string | undefined {
  const pending: unknown[] = [data];
  let values = 0;
  while (pending.length > 0) {
    const value = pending.pop();
    values += 1;
    if (values > MAX_POLICY_VALUES) {
      return `(root): the file stands for more than ${MAX_POLICY_VALUES.toLocaleString('en-US')} values once its YAML aliases (*name) are expanded; repeat fewer of them`;
    }
    // One by one: spreading a list of 200,000 values into push() would overflow the call stack.
    if (typeof value === 'object' && value !== null) for (const item of Array.isArray(value) ? (value as unknown[]) : Object.values(value)) pending.push(item);
  }
  return undefined;
}
