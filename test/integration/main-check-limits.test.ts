// `--check` on policy files at the edges of what is read: YAML aliases used often, an alias bomb, a bad CA file. The
// real entry point as a process, nothing contacted: every problem is printed at once, never a stack trace.
import { describe, expect, it } from 'vitest';
import { runMainOffline } from '../helpers/run-main-offline.js';

const ID = '5e2211c17a3e5a48f5497de3';
const clusters = (n: number) => Array.from({ length: n }, (_, i) => `      - { name: c${i}, approvers: *oncall }`).join('\n');
const ANCHORED = `requesters: &oncall [U0123ABCD, U0789IJKL]\nprojects:\n  - name: shop\n    id: ${ID}\n    clusters:\n${clusters(150)}\n`;
const BOMB = [
  'a0: &a0 [U0123ABCD, U0123ABCD, U0123ABCD, U0123ABCD, U0123ABCD, U0123ABCD, U0123ABCD, U0123ABCD, U0123ABCD]',
  ...Array.from({ length: 9 }, (_, i) => `a${i + 1}: &a${i + 1} [${Array.from({ length: 9 }, () => `*a${i}`).join(', ')}]`),
  `projects: [{ name: shop, id: ${ID}, clusters: [{ name: orders }] }]`,
].join('\n');

describe('node dist/main.js --check at the limits of a policy file', () => {
  it('accepts one anchor used on 150 clusters', async () => {
    const result = await runMainOffline(['--check'], ANCHORED);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/policy OK/);
  });

  it('an alias bomb, a bad PORT and an unreadable CA file: all three on stderr, exit 1, no stack trace', async () => {
    const result = await runMainOffline(['--check'], BOMB, { PORT: 'abc', REDIS_URL: 'rediss://127.0.0.1:9', REDIS_TLS_CA_FILE: '/nonexistent/ca.pem' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('PORT must be an integer from 0 to 65535 in decimal digits, got "abc"');
    expect(result.stderr).toContain('REDIS_TLS_CA_FILE: cannot read /nonexistent/ca.pem');
    expect(result.stderr).toContain('(root): the file stands for more than 1,000,000 values once its YAML aliases (*name) are expanded');
    expect(result.stderr).not.toMatch(/ReferenceError|\n\s+at /);
  });
});
