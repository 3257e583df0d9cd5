// The version gate of the start-up checks (Redis 6.2 or newer), against a test double of one server's answers:
// no Redis older than 6.2 runs here, and the double answers INFO, CONFIG GET and HELLO as a real server does.
import { ReplyError } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { checkServer, checkServers, type ServerNode } from '../../src/redis/server-checks.js';

/** A server of `version`, noeviction and AOF on; `deny` refuses those commands as an ACL or a rename would. */
function server(version: string, deny: { config?: boolean; info?: boolean } = {}): ServerNode {
  const refuse = (what: string) => Promise.reject(new ReplyError(`NOPERM User bot has no permissions to run the '${what}' command`));
  const sections: Record<string, string> = {
    server: `# Server\r\nredis_version:${version}\r\nredis_mode:standalone\r\n`,
    memory: '# Memory\r\nmaxmemory_policy:noeviction\r\n',
    persistence: '# Persistence\r\naof_enabled:1\r\n',
  };
  const settings: Record<string, string> = { 'maxmemory-policy': 'noeviction', appendonly: 'yes' };
  return {
    info: (section) => (deny.info ? refuse('info') : Promise.resolve(sections[section] ?? '')),
    config: (_get, name) => (deny.config ? refuse('config|get') : Promise.resolve([name, settings[name] ?? ''])),
    call: (command) => (command === 'HELLO' ? Promise.resolve(['server', 'redis', 'version', version, 'proto', 2]) : refuse(command.toLowerCase())),
  };
}

describe('checkServer: the Redis version', () => {
  it.each(['6.0.16', '5.0.14', '6.1.99'])('refuses Redis %s: older than 6.2.0, saying to upgrade', async (version) => {
    const checks = await checkServer(server(version));
    expect(checks).toContainEqual({ level: 'FAIL', text: `Redis ${version} is older than 6.2.0: BullMQ and the bot's scripts need 6.2.0 or later; upgrade it` });
  });

  it.each(['6.2.0', '6.2.14', '7.0.15', '10.0.0'])('accepts Redis %s', async (version) => {
    const checks = await checkServer(server(version));
    expect(checks).toContainEqual({ level: 'ok', text: `Redis ${version}` });
    expect(checks.filter((c) => c.level === 'FAIL')).toEqual([]);
  });

  it('reads the version from HELLO when INFO is refused: 6.0 still refused, 6.2.0 still accepted', async () => {
    expect(await checkServer(server('6.0.16', { info: true }))).toContainEqual({ level: 'FAIL', text: expect.stringMatching(/^Redis 6\.0\.16 is older than 6\.2\.0/) });
    expect(await checkServer(server('6.2.0', { info: true }))).toContainEqual({ level: 'ok', text: 'Redis 6.2.0' });
  });

  it('names the master that is too old on a Cluster', async () => {
    const checks = await checkServers([
      { node: server('7.0.15'), where: 'c0:6379' },
      { node: server('6.0.16'), where: 'c1:6379' },
    ]);
    expect(checks.filter((c) => c.level === 'FAIL')).toEqual([{ level: 'FAIL', text: expect.stringMatching(/^Redis 6\.0\.16 \(c1:6379\) is older than 6\.2\.0/) }]);
  });
});
