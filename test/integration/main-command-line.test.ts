// The real entry point as a process, with arguments it doesn't know: it must say so and never start the bot.
import { describe, expect, it } from 'vitest';
import { runMainOffline } from '../helpers/run-main-offline.js';

const POLICY = 'projects:\n  - name: shop\n    id: 5e2211c17a3e5a48f5497de3\n    clusters: [{ name: orders }]\nrequesters: [U0123ABCD]\napprovers: [U0789IJKL]\n';
// A valid configuration: without the check of the arguments, the bot would start (and ask Redis first).
const runMain = (args: string[]) => runMainOffline(args, POLICY);

describe('node dist/main.js with unknown arguments', () => {
  it('--chek: the usage on stderr, exit 2, nothing asked of Redis', async () => {
    const result = await runMain(['--chek']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('atlas-restore: unknown argument "--chek"');
    expect(result.stderr).toContain('Usage: node dist/main.js');
    expect(result.stderr).not.toMatch(/Redis is not ready|ECONNREFUSED/);
  });

  it('--help: the usage on stdout, exit 0', async () => {
    const result = await runMain(['--help']);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('Usage: node dist/main.js');
  });
});
