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
];

export function scrubSecrets(text: string, extraSecrets: readonly string[] = []): string {
  let out = text;
  for (const secret of extraSecrets) if (secret.length >= 4) out = out.split(secret).join('[Redacted]');
  for (const p of SECRET_PATTERNS) out = out.replace(p, '[Redacted]');
  return out;
}

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
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    scrubbing,
  );
}

export type { Logger };
