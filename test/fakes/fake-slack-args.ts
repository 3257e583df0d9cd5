// Argument parsing shared by the fake Slack's Web API methods.

export type SlackArgs = Record<string, unknown>;

/** What a Web API method answers with `{ ok: false, error }`; `messages` go in `response_metadata`, as Slack's do. */
export class SlackMethodError extends Error {
  constructor(
    readonly error: string,
    readonly messages: readonly string[] = [],
  ) {
    super(messages.length > 0 ? `${error}: ${messages.join('; ')}` : error);
  }

  /** The answer's body beside `ok: false`: for invalid_blocks also `errors`, the messages without their "[ERROR] ". */
  body(): Record<string, unknown> {
    if (this.messages.length === 0) return { error: this.error };
    const errors = this.error === 'invalid_blocks' ? { errors: this.messages.map((m) => m.replace(/^\[ERROR\] /, '')) } : {};
    return { error: this.error, ...errors, response_metadata: { messages: [...this.messages] } };
  }
}

export function optString(args: SlackArgs, key: string): string | undefined {
  const v = args[key];
  if (v === undefined || v === null || v === '') return undefined;
  return typeof v === 'string' ? v : String(v);
}

export function requireString(args: SlackArgs, key: string, error = 'invalid_arguments'): string {
  const v = optString(args, key);
  if (v === undefined) throw new SlackMethodError(error);
  return v;
}

export function blocksArg(args: SlackArgs): unknown[] | undefined {
  const v = args.blocks;
  if (v === undefined || v === null || v === '') return undefined;
  // Form bodies carry blocks as a JSON string; fake-slack.ts parses it, so a string here was not valid JSON.
  if (!Array.isArray(v)) throw new SlackMethodError('invalid_blocks_format');
  return v;
}
