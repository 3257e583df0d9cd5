// The arguments of `node dist/main.js` (DESIGN.md §6, "Command line"). Pure and total: every argv gives a result. Only
// the exact forms below are accepted: a typo such as `--chek` must not start the bot against production.

export type CommandLine =
  | { kind: 'bot' }
  | { kind: 'check'; online: boolean }
  /** The rest of argv, for parse-audit-args.ts (it has its own flags and help). */
  | { kind: 'audit'; args: string[] }
  | { kind: 'help' }
  | { kind: 'invalid'; message: string };

export const USAGE = [
  'Usage: node dist/main.js [--check [--online] | audit [--since <duration|time>] [--format ndjson|csv] | --help]',
  '',
  '  (no argument)     run the bot',
  '  --check           validate the configuration and the policy, then exit (0, or 1 with every problem on stderr)',
  '  --check --online  also ask Redis, Slack and Atlas (read-only)',
  '  audit …           print the audit stream (node dist/main.js audit --help)',
  '  --help, -h        print this text',
].join('\n');

const KNOWN = ['--check', '--online', '--help'];

function unknown(arg: string): string {
  // `check`, `-check`, `--Online`: the likely meaning is worth a word.
  const meant = `--${arg.replace(/^-+/, '').toLowerCase()}`;
  const hint = KNOWN.includes(meant) ? ` (did you mean ${meant}?)` : '';
  return `unknown argument ${JSON.stringify(arg)}${hint}`;
}

export function parseCommandLine(argv: readonly string[]): CommandLine {
  if (argv[0] === 'audit') return { kind: 'audit', args: argv.slice(1) };
  if (argv.length === 0) return { kind: 'bot' };
  if (argv.some((a) => a === '--help' || a === '-h')) return { kind: 'help' };
  const bad = argv.find((a) => a !== '--check' && a !== '--online');
  if (bad !== undefined) return { kind: 'invalid', message: bad === 'audit' ? '"audit" must come first' : unknown(bad) };
  const checks = argv.filter((a) => a === '--check').length;
  const onlines = argv.length - checks;
  if (checks === 0) return { kind: 'invalid', message: '--online goes with --check: node dist/main.js --check --online' };
  if (checks > 1 || onlines > 1) return { kind: 'invalid', message: 'each of --check and --online may be given once' };
  return { kind: 'check', online: onlines === 1 };
}
