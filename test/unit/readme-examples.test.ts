// The README is the user's manual: what it shows must be what the bot takes. Its policies parse as `--check` reads
// them, its commands parse as the slash command and the command line do, its variables are the ones config.ts reads,
// with the defaults it gives, and its links lead somewhere. Everything is taken from the README's own text.
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAuditArgs } from '../../src/audit/parse-audit-args.js';
import { loadConfig } from '../../src/config.js';
import { parseCommandLine } from '../../src/parse-command-line.js';
import { parsePolicy } from '../../src/policy/load-policy.js';
import { parseCommand } from '../../src/slack/parse-command.js';
import { parsePointInTime } from '../../src/slack/parse-point-in-time.js';

const root = new URL('../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');
const readme = read('README.md');
const lineOf = (index: number | undefined) => readme.slice(0, index).split('\n').length;
const policies = [...readme.matchAll(/```yaml\n(projects:[\s\S]*?)```/g)].map((m) => ({ line: lineOf(m.index) + 1, text: m[1]! }));

/** The README's text between a heading and the next heading of the same or a higher level. */
function section(heading: string): string {
  const start = readme.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`README has no heading "${heading}"`);
  const level = /^#+/.exec(heading)![0].length;
  const rest = readme.slice(start + heading.length + 2);
  const end = rest.search(new RegExp(`^#{1,${level}} `, 'm'));
  return end < 0 ? rest : rest.slice(0, end);
}

const codeBlocks = (text: string) => [...text.matchAll(/```\w*\n([\s\S]*?)```/g)].map((m) => m[1]!);
const problemsOf = (text: string): string => {
  try {
    parsePolicy(text, 'README.md');
    return '';
  } catch (err) {
    return (err as Error).message;
  }
};

describe('the README', () => {
  it('shows policies', () => {
    expect(policies.length).toBeGreaterThanOrEqual(2);
  });

  it.each(policies)('its policy at line $line is valid', ({ line, text }) => {
    expect(() => parsePolicy(text, `README.md:${line}`)).not.toThrow();
  });

  it('YAML anchors and aliases, as it writes them, are taken', () => {
    const m = /\(`(requesters: &\w+ \[[^\]]+\])`, then `(approvers: \*\w+)`\)/.exec(readme);
    expect(m, 'the anchors example').not.toBeNull();
    const policy = parsePolicy(`${m![1]}\n${m![2]}\n${policies[0]!.text.replace(/^(requesters|approvers):.*\n/gm, '')}`, 'README.md');
    expect(policy.approvers).toEqual(policy.requesters);
  });

  it('the policy errors it quotes are the ones the bot gives', () => {
    const quoted = (start: string) => {
      const m = new RegExp('`(' + start.replace(/[[\]().*]/g, '\\$&') + '[^`]*)`').exec(readme);
      expect(m, `README quotes ${start}`).not.toBeNull();
      return m![1]!.replace(/\s*(\(…\)|…)$/, '');
    };
    const [first, drills] = [policies[0]!.text, policies.find((p) => p.text.includes('drills:'))!.text];
    expect(problemsOf(first.replace(/(- name: orders-staging\n)/, '$1        type: flux\n'))).toContain(quoted('projects[0].clusters[1].type:'));
    expect(problemsOf(drills.replace('target: shop/orders-drill', 'target: shop/orders'))).toContain(quoted('drills[0] (orders-weekly): target'));
    expect(problemsOf(drills.replace('"0 3 * * 1"', '"0 3 * *"'))).toContain(quoted('drills[0] (orders-weekly).schedule:'));
  });

  describe('Commands', () => {
    const commands = section('### Commands');

    const examples = codeBlocks(commands)
      .flatMap((b) => b.split('\n'))
      .map((l) => l.replace(/\s{2,}.*$/, ''))
      .filter((l) => /^\/atlas-restore \S/.test(l) && !l.includes('<'));
    it.each(examples)('its example %s parses', (line) => {
      expect(parseCommand(line.replace(/^\/atlas-restore /, ''))).not.toHaveProperty('kind', 'invalid');
    });

    it('the times of `at <time>` it gives parse, and the ones it says are refused are', () => {
      const bullet = /^- `at <time>`[\s\S]*?(?=\n- )/m.exec(commands)![0];
      const times = [...bullet.matchAll(/`(\d[^`]*)`/g)].map((m) => m[1]!);
      expect(times.length).toBeGreaterThanOrEqual(4);
      for (const time of times) expect(parsePointInTime(time), time).toHaveProperty('ok', true);
      expect(parseCommand('shop/ledger at 2026-12-01 14:05Z')).toEqual(parseCommand('shop/ledger at 2026-12-01T14:05Z')); // a space for the T
      expect(parsePointInTime('2026-12-01T14:05:30.75Z')).toEqual(parsePointInTime('2026-12-01T14:05:30Z')); // a fraction dropped
      for (const refused of ['2026-12-01T14:05', '2026-12-01', '1796133900000']) expect(parsePointInTime(refused), refused).toHaveProperty('ok', false);
    });

    it('its `only` lists parse, and two spellings of one database are refused', () => {
      for (const m of commands.matchAll(/`only ([a-z][^`]*)`/g)) expect(parseCommand(`shop/ledger only ${m[1]}`), m[1]).not.toHaveProperty('kind', 'invalid');
      expect(parseCommand('shop/ledger only Sales.orders, sales.customers')).toHaveProperty('kind', 'invalid');
    });

    it('keywords win over cluster names, and the help words mean help', () => {
      expect(parseCommand('list')).toEqual({ kind: 'list' });
      expect(parseCommand('project/list')).toEqual({ kind: 'open', source: 'project/list' });
      for (const word of ['-h', '--help', '?', 'HELP']) expect(parseCommand(word), word).toEqual({ kind: 'help' });
    });
  });

  describe('Command line', () => {
    const forms = codeBlocks(section('### Command line'))[0]!
      .split('\n')
      .filter((l) => l.startsWith('node dist/main.js'))
      .map((l) => l.replace(/\s{2,}.*$/, ''));
    it.each(forms)('%s is a form it accepts', (line) => {
      const argv = line.split(' ').slice(2).filter((a) => !/^[[<]|^ndjson|^csv]/.test(a));
      expect(parseCommandLine(argv)).not.toHaveProperty('kind', 'invalid');
    });

    it('refuses what it says it refuses, and takes --online first', () => {
      expect(parseCommandLine(['--chek'])).toHaveProperty('kind', 'invalid');
      expect(parseCommandLine(['check'])).toHaveProperty('kind', 'invalid');
      expect(parseCommandLine(['--online', '--check'])).toEqual({ kind: 'check', online: true });
    });

    it('the audit examples parse; a --since without its zone is refused', () => {
      const now = new Date('2026-12-08T00:00:00Z');
      const audits = codeBlocks(section('### Audit export'))[0]!.split('\n').filter((l) => l.startsWith('node dist/main.js audit'));
      expect(audits.length).toBeGreaterThanOrEqual(3);
      for (const line of audits) {
        const argv = line.replace(/\s*[|>#].*$/, '').split(/\s+/).slice(3);
        expect(parseAuditArgs(argv, now), line).toHaveProperty('kind', 'run');
      }
      for (const since of ['30m', '12h', '7d', '2026-11-01T00:00Z', '2026-11-01T01:00+01:00', '2026-11-01']) expect(parseAuditArgs(['--since', since], now), since).toHaveProperty('kind', 'run');
      expect(parseAuditArgs(['--since', '2026-11-01T00:00'], now)).toHaveProperty('kind', 'invalid');
    });
  });

  describe('3. Configure', () => {
    const rows = section('### 3. Configure')
      .split('\n')
      .filter((l) => /^\| `[A-Z]/.test(l))
      .map((l) => {
        const [names = '', , byDefault = ''] = l.slice(1).split(' | ');
        return { names: [...names.matchAll(/`([A-Z_]+)`/g)].map((m) => m[1]!), byDefault: /^`([^`]*)`/.exec(byDefault.trim())?.[1] };
      });
    const minimal = { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's', ATLAS_PUBLIC_KEY: 'p', ATLAS_PRIVATE_KEY: 'k', RESTORE_POLICY_FILE: '/p.yaml' };

    it('names every variable config.ts reads, and no other', () => {
      const schema = /z\s*\.object\(\{([\s\S]*?)\n {2}\}\)/.exec(read('src/config.ts'))![1]!;
      const read_ = [...schema.matchAll(/^\s+([A-Z][A-Z_]+):/gm)].map((m) => m[1]!).sort();
      expect(rows.flatMap((r) => r.names).sort()).toEqual(read_);
    });

    it('gives the defaults the bot uses', () => {
      const config = loadConfig(minimal);
      const used: Record<string, unknown> = {
        SLACK_API_URL: config.slack.apiUrl,
        PORT: String(config.port),
        ATLAS_BASE_URL: config.atlas.baseUrl,
        REDIS_URL: config.redisUrl,
        REDIS_KEY_PREFIX: config.redisKeyPrefix,
        POLL_INTERVAL_SECONDS: String(config.pollIntervalSeconds),
        LONG_RUNNING_WARNING_MINUTES: String(config.longRunningWarningMinutes),
        DRY_RUN: String(config.dryRun),
        LOG_LEVEL: config.logLevel,
      };
      for (const [name, value] of Object.entries(used)) expect(rows.find((r) => r.names[0] === name)?.byDefault, name).toBe(value);
    });

    it('takes the ranges it gives, and refuses the numbers it says are refused', () => {
      const ok = (env: Record<string, string>) => () => loadConfig({ ...minimal, ...env });
      for (const [name, low, high] of [['PORT', 0, 65535], ['POLL_INTERVAL_SECONDS', 1, 3600], ['LONG_RUNNING_WARNING_MINUTES', 1, 10080]] as const) {
        expect(ok({ [name]: String(low) }), `${name}=${low}`).not.toThrow();
        expect(ok({ [name]: String(high) }), `${name}=${high}`).not.toThrow();
        expect(ok({ [name]: String(high + 1) }), `${name}=${high + 1}`).toThrow();
        if (low > 0) expect(ok({ [name]: String(low - 1) }), `${name}=${low - 1}`).toThrow();
      }
      for (const written of ['0x1F90', '1e3', '8080.0']) expect(ok({ PORT: written }), written).toThrow();
      expect(ok({ DRY_RUN: 'yes' })).toThrow();
      expect(loadConfig({ ...minimal, PORT: '', DRY_RUN: '' }).port).toBe(3000); // empty values count as unset
    });

    it('refuses the unencoded characters of a REDIS_URL password it says are refused', () => {
      const url = (password: string) => () => loadConfig({ ...minimal, REDIS_URL: `redis://user:${password}@redis.internal:6379` });
      for (const password of ['p/ss', 'p?ss', 'p#ss', 'p%ss', 'p%zz']) expect(url(password), password).toThrow();
      for (const password of ['p%2Fss', 'p%25ss', 'p%40ss', 'p%3Ass', 'p%3Fss', 'p%23ss']) expect(url(password), password).not.toThrow();
    });
  });

  it('links only to headings and files that exist', () => {
    const slug = (heading: string) => heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\- ]/gu, '').replace(/ /g, '-');
    const anchors = (text: string) => new Set([...text.replace(/```[\s\S]*?```/g, '').matchAll(/^#+ (.+)$/gm)].map((m) => slug(m[1]!)));
    const own = anchors(readme);
    let checked = 0;
    for (const [, path = '', anchor] of readme.matchAll(/\]\(([^)#\s]*)(?:#([^)\s]+))?\)/g)) {
      if (/^[a-z]+:/.test(path)) continue;
      if (path !== '') expect(existsSync(new URL(path, root)), path).toBe(true);
      if (anchor) expect(path === '' ? own : anchors(read(path)), `${path}#${anchor}`).toContain(anchor);
      checked += 1;
    }
    expect(checked).toBeGreaterThanOrEqual(10);
  });
});
