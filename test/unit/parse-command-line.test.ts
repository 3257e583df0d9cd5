import { describe, expect, it } from 'vitest';
import { parseCommandLine, USAGE } from '../../src/parse-command-line.js';

const problem = (...argv: string[]) => {
  const parsed = parseCommandLine(argv);
  if (parsed.kind !== 'invalid') throw new Error(`expected invalid, got ${JSON.stringify(parsed)}`);
  return parsed.message;
};

describe('parseCommandLine', () => {
  it('runs the bot only without arguments', () => {
    expect(parseCommandLine([])).toEqual({ kind: 'bot' });
  });

  it('accepts --check, and --check with --online in either order', () => {
    expect(parseCommandLine(['--check'])).toEqual({ kind: 'check', online: false });
    expect(parseCommandLine(['--check', '--online'])).toEqual({ kind: 'check', online: true });
    expect(parseCommandLine(['--online', '--check'])).toEqual({ kind: 'check', online: true });
  });

  it('hands everything after audit to the audit command, its own --help included', () => {
    expect(parseCommandLine(['audit'])).toEqual({ kind: 'audit', args: [] });
    expect(parseCommandLine(['audit', '--since', '7d', '--help'])).toEqual({ kind: 'audit', args: ['--since', '7d', '--help'] });
  });

  it('answers --help and -h with the usage', () => {
    expect(parseCommandLine(['--help'])).toEqual({ kind: 'help' });
    expect(parseCommandLine(['-h'])).toEqual({ kind: 'help' });
    expect(parseCommandLine(['--check', '--help'])).toEqual({ kind: 'help' });
    for (const command of ['--check', '--check --online', 'audit', '--help']) expect(USAGE).toContain(command);
  });

  it('refuses anything else, saying what was wrong', () => {
    expect(problem('--chek')).toBe('unknown argument "--chek"');
    expect(problem('check')).toBe('unknown argument "check" (did you mean --check?)');
    expect(problem('--check', '-online')).toBe('unknown argument "-online" (did you mean --online?)');
    expect(problem('help')).toContain('did you mean --help?');
    expect(problem('--online')).toContain('--online goes with --check');
    expect(problem('--check', '--check')).toContain('once');
    expect(problem('--check', '--online', '--online')).toContain('once');
    expect(problem('--check', 'audit')).toContain('"audit" must come first');
    expect(problem('')).toBe('unknown argument ""');
    expect(problem('--check=true')).toContain('unknown argument');
  });
});
