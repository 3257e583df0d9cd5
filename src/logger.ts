// pino with every secret we hold redacted, wherever it appears in a logged object.
import { pino, type Logger, type DestinationStream } from 'pino';

/** Key names whose values are secrets, at any depth (pino redact paths cover fixed depths, so list a few). */
const SECRET_KEYS = [
  'privateKey',
  'clientSecret',
  'signingSecret',
  'botToken',
  'appToken',
  'token',
  'access_token',
  'password',
  'authorization',
  'Authorization',
  'ATLAS_PRIVATE_KEY',
  'ATLAS_CLIENT_SECRET',
  'SLACK_BOT_TOKEN',
  'SLACK_APP_TOKEN',
  'SLACK_SIGNING_SECRET',
];

export const REDACT_PATHS: string[] = SECRET_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`, `*.*.*.${k}`]);

/** Values that look like Slack tokens or Digest/Bearer credentials, wherever they appear in a string. */
const SECRET_PATTERNS: RegExp[] = [
  /xox[abposr]-[A-Za-z0-9-]+/g,
  /xapp-[A-Za-z0-9-]+/g,
  /(Digest|Bearer|Basic)\s+[^\s"',]+[^"']*/g,
  // Socket Mode's connection URL (Slack's debug log of apps.connections.open).
  /(?<=[?&]ticket=)[^&\s"'\\]+/g,
  // A payload's verification token, inside a message string (quotes escaped) or as JSON.
  /(?<=\\?"token\\?"\s*:\s*\\?")[^"\\]+/g,
];

export function scrubSecrets(text: string, extraSecrets: readonly string[] = []): string {
  let out = text;
  for (const secret of extraSecrets) {
    if (secret.length < 4) continue;
    // As it is, and as JSON writes it (a password with a quote, a backslash or a control character is escaped).
    for (const form of new Set([secret, JSON.stringify(secret).slice(1, -1)])) out = out.split(form).join('[Redacted]');
  }
  for (const p of SECRET_PATTERNS) out = out.replace(p, '[Redacted]');
  return out;
}

/**
 * ioredis puts the failed command on its errors, and for AUTH (a rotated password: WRONGPASS) that is the user and
 * the password in clear; Cluster nests the error in `lastNodeError`. Arguments of Redis commands are never logged.
 */
function withoutCommandArgs(value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== 'object' || depth > 6) return value;
  if (Array.isArray(value)) return value.map((v) => withoutCommandArgs(v, depth + 1));
  // Bytes are never worth a log line, and pino's redaction throws on a Buffer inside a logged object.
  if (ArrayBuffer.isView(value)) return `[${value.constructor.name} of ${value.byteLength} bytes]`;
  // Values JSON writes by their own rules stay as they are; everything else is walked: the serialized error, the
  // errors pino serialized inside it (Cluster's lastNodeError), raw errors (their message added: JSON would drop it).
  if (value instanceof Date || value instanceof RegExp || value instanceof Map || value instanceof Set || value instanceof URL) return value;
  const isError = value instanceof Error;
  const out: Record<string, unknown> = depth > 0 && isError ? { message: value.message } : {};
  for (const [key, v] of Object.entries(value)) {
    if (key === 'command' && v !== null && typeof v === 'object' && 'args' in v) out[key] = { ...(v as object), args: '[Redacted]' };
    else out[key] = withoutCommandArgs(v, depth + 1);
  }
  return out;
}

const serializeError = (err: unknown): unknown => withoutCommandArgs(pino.stdSerializers.err(err as Error));

export interface LoggerOptions {
  level?: string;
  /** Literal secret values (from the config) scrubbed from every line, whatever key holds them. */
  secrets?: readonly string[];
  destination?: DestinationStream;
}

export function createLogger(opts: LoggerOptions = {}): Logger {
  const secrets = (opts.secrets ?? []).filter((s): s is string => typeof s === 'string' && s.length >= 4);
  const scrubbing: DestinationStream = {
    write(line: string) {
      (opts.destination ?? process.stdout).write(scrubSecrets(line, secrets));
    },
  };
  return pino(
    {
      level: opts.level ?? 'info',
      base: { app: 'atlas-restore' },
      redact: { paths: REDACT_PATHS, censor: '[Redacted]' },
      serializers: { err: serializeError, error: serializeError },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    scrubbing,
  );
}

export type { Logger };
