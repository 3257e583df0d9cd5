// slack-app-manifest.yaml: valid against Slack's official manifest schema, and its bot scopes cover every
// Slack Web API method the code calls (found by scanning src/), without asking for scopes nothing needs.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REQUIRED_BOT_SCOPES } from '../../src/preflight.js';
import { usageText } from '../../src/slack/parse-command.js';

// ajv-formats is CommonJS; under NodeNext its default import is typed as the module object.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as unknown as (ajv: Ajv) => Ajv;

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SCHEMA_URL = new URL('../contracts/slack-manifest.schema.json', import.meta.url);

/**
 * Bot scopes each Web API method needs (docs.slack.dev/reference/methods). A method the code calls that is not
 * here fails the test: look its scopes up and add it.
 */
const METHOD_SCOPES: Record<string, string[]> = {
  'auth.test': [],
  'chat.postMessage': ['chat:write'],
  'chat.update': ['chat:write'],
  'chat.postEphemeral': ['chat:write'],
  'chat.delete': ['chat:write'],
  'chat.getPermalink': [],
  'conversations.info': ['channels:read', 'groups:read'], // public and private channels
  'conversations.open': ['im:write'],
  'users.info': ['users:read'],
  'users.conversations': ['channels:read', 'groups:read'], // public and private channels the user shares with the bot
  'usergroups.users.list': ['usergroups:read'],
  // Views are opened from a trigger_id of a command or interaction: no scope beyond `commands`.
  'views.open': [],
  'views.update': [],
  'views.push': [],
  // The Home tab: "No scopes required" (docs.slack.dev/reference/methods/views.publish).
  'views.publish': [],
};

/** Scopes asked for without a Web API call in src/ that needs them, each with its reason. */
const SCOPES_WITHOUT_A_CALL: Record<string, string> = {
  commands: 'the /atlas-restore slash command',
};

/** Web API method families, so that calls on other clients (Redis, Atlas) are not mistaken for Slack's. */
const SLACK_FAMILIES = new Set([
  'admin', 'apps', 'assistant', 'auth', 'bookmarks', 'bots', 'calls', 'canvases', 'chat', 'conversations', 'dialog',
  'dnd', 'emoji', 'files', 'functions', 'oauth', 'openid', 'pins', 'reactions', 'reminders', 'search', 'stars',
  'team', 'usergroups', 'users', 'views', 'workflows',
]);

/** `client.chat.postMessage(`, `app.client.usergroups.users.list(`, across line breaks, and `client.apiCall('x.y'`. */
function slackMethodsCalled(source: string): Set<string> {
  const found = new Set<string>();
  const sep = String.raw`\s*\??\.\s*`;
  const call = new RegExp(String.raw`\b\w*client${sep}([a-z]\w*)${sep}([a-zA-Z]\w*)(?:${sep}([a-zA-Z]\w*))?\s*\(`, 'gi');
  for (const m of source.matchAll(call)) {
    if (SLACK_FAMILIES.has(m[1]!)) found.add([m[1], m[2], m[3]].filter(Boolean).join('.'));
  }
  for (const m of source.matchAll(/\bapiCall\(\s*['"`]([\w.]+)['"`]/g)) found.add(m[1]!);
  return found;
}

function scopeProblems(methods: Iterable<string>, scopes: readonly string[]): string[] {
  const problems: string[] = [];
  const needed = new Set<string>();
  for (const method of methods) {
    const required = METHOD_SCOPES[method];
    if (!required) {
      problems.push(`${method} is called but not in METHOD_SCOPES: add the bot scopes it needs`);
      continue;
    }
    for (const scope of required) {
      needed.add(scope);
      if (!scopes.includes(scope)) problems.push(`${method} needs the bot scope ${scope}, missing from the manifest`);
    }
  }
  for (const scope of scopes) {
    if (!needed.has(scope) && !(scope in SCOPES_WITHOUT_A_CALL)) problems.push(`bot scope ${scope} is asked for but nothing needs it`);
  }
  return problems;
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? tsFiles(path) : name.endsWith('.ts') ? [path] : [];
  });
}

interface Manifest {
  display_information: { name: string };
  features: { bot_user: { display_name: string }; slash_commands: { command: string; url?: string; usage_hint?: string; description: string }[] };
  oauth_config: { scopes: { bot: string[] } };
  settings: {
    interactivity: { is_enabled: boolean; request_url?: string };
    event_subscriptions?: { request_url?: string; bot_events?: string[] };
    socket_mode_enabled: boolean;
    token_rotation_enabled: boolean;
    org_deploy_enabled: boolean;
  };
}

const manifest = parse(readFileSync(join(REPO, 'slack-app-manifest.yaml'), 'utf8')) as Manifest;
const ajv = addFormats(new Ajv({ strict: false, allErrors: true }));
const validateManifest = ajv.compile(JSON.parse(readFileSync(fileURLToPath(SCHEMA_URL), 'utf8')) as object);
const calledInSrc = new Map<string, string[]>(); // method → files
for (const file of tsFiles(join(REPO, 'src'))) {
  for (const method of slackMethodsCalled(readFileSync(file, 'utf8'))) {
    calledInSrc.set(method, [...(calledInSrc.get(method) ?? []), relative(REPO, file)]);
  }
}

describe('slack-app-manifest.yaml: schema', () => {
  it("is valid against Slack's official manifest schema", () => {
    const ok = validateManifest(manifest);
    expect(validateManifest.errors ?? [], ajv.errorsText(validateManifest.errors)).toEqual([]);
    expect(ok).toBe(true);
  });

  it('rejects a broken manifest (the schema check can fail)', () => {
    const broken = structuredClone(manifest) as unknown as Record<string, Record<string, unknown>>;
    (broken.features!.slash_commands as { command: string }[])[0]!.command = 'atlas-restore'; // no leading slash
    broken.settings!.socket_mode = true; // not a manifest field
    expect(validateManifest(broken)).toBe(false);
    expect(ajv.errorsText(validateManifest.errors)).toMatch(/pattern|additional/);
  });

  it('declares /atlas-restore and interactivity on the app endpoint, for HTTP mode', () => {
    expect(manifest.display_information.name).toBe('Atlas Restore');
    expect(manifest.features.bot_user.display_name).toBe('Atlas Restore');
    const [command, ...others] = manifest.features.slash_commands;
    expect(others).toEqual([]);
    expect(command?.command).toBe('/atlas-restore');
    expect(command?.url).toBe('https://atlas-restore.example.com/slack/events');
    expect(command?.usage_hint).toMatch(/status/);
    expect(manifest.settings.interactivity).toEqual({ is_enabled: true, request_url: command?.url });
    expect(manifest.settings.socket_mode_enabled).toBe(false);
    expect(manifest.settings.token_rotation_enabled).toBe(false);
    expect(manifest.settings.org_deploy_enabled).toBe(false);
    expect(manifest.oauth_config.scopes.bot).not.toContain('chat:write.public'); // the bot asks to be invited
  });

  it("gives Slack a usage hint that names every keyword of the command's forms, as `help` prints them", () => {
    const hint = manifest.features.slash_commands[0]?.usage_hint ?? '';
    // The words of each `/atlas-restore …` form of the usage that aren't <placeholders>: status, at, only, to, drills…
    const keywords = new Set(
      usageText()
        .split('\n')
        .flatMap((line) => /^`\/atlas-restore ([^`]*)`/.exec(line)?.[1]?.match(/\b[a-z]+\b(?![^<]*>)/g) ?? []),
    );
    expect([...keywords]).toEqual(expect.arrayContaining(['at', 'only', 'to', 'status', 'list', 'drill', 'drills', 'help']));
    expect([...keywords].filter((word) => !new RegExp(`(^|[^a-z])${word}([^a-z]|$)`).test(hint))).toEqual([]);
  });

  it('enables the Home tab and subscribes to app_home_opened on the app endpoint', () => {
    expect((manifest.features as unknown as { app_home: { home_tab_enabled: boolean } }).app_home.home_tab_enabled).toBe(true);
    expect(manifest.settings.event_subscriptions).toEqual({
      request_url: manifest.features.slash_commands[0]?.url,
      bot_events: ['app_home_opened'], // needs no scope beyond the bot user
    });
  });
});

describe('slack-app-manifest.yaml: scopes', () => {
  it('finds the Web API calls in src/', () => {
    // The calls the Slack layer is known to make; if the scanner stops seeing them, it is broken.
    for (const method of ['chat.postMessage', 'chat.update', 'views.open']) expect([...calledInSrc.keys()]).toContain(method);
  });

  it('has every bot scope the called methods need, and none that nothing needs', () => {
    const where = [...calledInSrc].map(([m, files]) => `${m} (${files.join(', ')})`).join('\n');
    expect(scopeProblems(calledInSrc.keys(), manifest.oauth_config.scopes.bot), where).toEqual([]);
  });

  it('is exactly what --check --online asks of the token (REQUIRED_BOT_SCOPES)', () => {
    expect([...REQUIRED_BOT_SCOPES].sort()).toEqual([...manifest.oauth_config.scopes.bot].sort());
  });

  it('reports a missing scope, an unknown method and an unneeded scope (the check can fail)', () => {
    const scopes = manifest.oauth_config.scopes.bot.filter((s) => s !== 'users:read').concat('files:write');
    expect(scopeProblems(['users.info', 'chat.postMessage', 'usergroups.users.list', 'users.conversations', 'files.uploadV2'], scopes)).toEqual([
      'users.info needs the bot scope users:read, missing from the manifest',
      'files.uploadV2 is called but not in METHOD_SCOPES: add the bot scopes it needs',
      'bot scope files:write is asked for but nothing needs it',
    ]);
  });

  it('recognises the call shapes the code uses', () => {
    const source = [
      'await client.chat.postMessage({ channel });',
      'const tz = client.users',
      '  .info({ user }).then((r) => r.user?.tz);',
      'await app.client.usergroups.users.list({ usergroup });',
      'await this.webClient?.conversations.info({ channel });',
      "await client.apiCall('auth.test');",
      'await redisClient.multi().exec(); atlasClient.snapshots.list(x); opts.auth.kind;',
    ].join('\n');
    expect([...slackMethodsCalled(source)].sort()).toEqual([
      'auth.test', 'chat.postMessage', 'conversations.info', 'usergroups.users.list', 'users.info',
    ]);
  });
});
