// HTTP plumbing for the fake Slack server: reading request bodies, decoding Web API arguments the way
// @slack/web-api sends them (form or JSON), and writing JSON answers.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SlackArgs } from './fake-slack-args.js';

/** Fields @slack/web-api JSON-encodes inside form bodies. */
const JSON_FIELDS = new Set(['blocks', 'attachments', 'view', 'metadata']);

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Query parameters plus the body's fields; throws on a malformed JSON body (the caller answers invalid_json). */
export function parseArgs(raw: string, contentType: string, query: URLSearchParams): SlackArgs {
  const args: SlackArgs = Object.fromEntries(query.entries());
  if (contentType.includes('application/json')) {
    if (raw) Object.assign(args, JSON.parse(raw) as SlackArgs);
    return args;
  }
  for (const [k, v] of new URLSearchParams(raw)) {
    if (JSON_FIELDS.has(k)) {
      try {
        args[k] = JSON.parse(v);
      } catch {
        args[k] = v; // left as a string: the method answers invalid_* like Slack
      }
    } else args[k] = v;
  }
  return args;
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}
