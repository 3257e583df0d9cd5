// The README is the user's manual: a policy it shows must be one the bot takes, as `--check` would read it.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../../src/policy/load-policy.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const policies = [...readme.matchAll(/```yaml\n(projects:[\s\S]*?)```/g)].map((m) => ({ line: readme.slice(0, m.index).split('\n').length + 1, text: m[1]! }));

describe('the README', () => {
  it('shows policies', () => {
    expect(policies.length).toBeGreaterThanOrEqual(2);
  });

  it.each(policies)('its policy at line $line is valid', ({ line, text }) => {
    expect(() => parsePolicy(text, `README.md:${line}`)).not.toThrow();
  });
});
