import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';

function capture() {
  const lines: string[] = [];
  return { lines, destination: { write: (l: string) => void lines.push(l) } };
}

describe('logger', () => {
  const secrets = {
    privateKey: 'atlas-private-9f8e7d6c',
    clientSecret: 'mdb_sa_sk_abcdef123456',
    botToken: 'xoxb-1111-2222-abcdefghijkl',
    signingSecret: 'signing-0123456789abcdef',
    appToken: 'xapp-1-A111-222-abcdef',
  };

  it('redacts secrets under their key names at any depth', () => {
    const out = capture();
    const log = createLogger({ destination: out.destination });
    log.info({ config: { atlas: { auth: { privateKey: secrets.privateKey, clientSecret: secrets.clientSecret } }, slack: { botToken: secrets.botToken } } }, 'started');
    log.info({ headers: { Authorization: 'Digest username="pub", response="abc"' } }, 'request');
    const text = out.lines.join('');
    for (const s of [secrets.privateKey, secrets.clientSecret, secrets.botToken, 'response="abc"']) expect(text).not.toContain(s);
    expect(text).toContain('[Redacted]');
    expect(text).toContain('started');
  });

  it('scrubs configured secret values and token shapes wherever they appear, even in messages', () => {
    const out = capture();
    const log = createLogger({ destination: out.destination, secrets: Object.values(secrets) });
    log.error({ err: new Error(`call failed with key ${secrets.privateKey}`) }, `oops ${secrets.signingSecret}`);
    log.warn({ note: `token ${secrets.appToken} and xoxb-9999-other-token` }, 'Bearer eyJhbGciOi.secret.part');
    const text = out.lines.join('');
    for (const s of [...Object.values(secrets), 'xoxb-9999-other-token', 'eyJhbGciOi']) expect(text).not.toContain(s);
  });

  it("scrubs Socket Mode's connection ticket and a payload's verification token from Slack's debug lines", () => {
    const out = capture();
    const log = createLogger({ destination: out.destination, level: 'debug' });
    log.debug('http request result: {"ok":true,"url":"wss://wss-primary.slack.com/link/?ticket=ab12-cd34&app_id=A1"}');
    log.debug(`received a message on the WebSocket: ${JSON.stringify({ envelope_id: 'e1', payload: { token: 'verif-0123456789', type: 'block_actions' } })}`);
    log.debug({ body: { token: 'verif-9876543210' } }, 'event');
    const text = out.lines.join('');
    for (const s of ['ab12-cd34', 'verif-0123456789', 'verif-9876543210']) expect(text).not.toContain(s);
    expect(text).toContain('app_id=A1');
    expect(text).toContain('block_actions');
  });

  it('drops Redis command arguments from errors however they nest, and keeps dates; a Buffer on an error does not break the line', () => {
    const out = capture();
    const log = createLogger({ destination: out.destination });
    const refused = (pw: string) => Object.assign(new Error('WRONGPASS invalid username-password pair'), { command: { name: 'auth', args: ['bot', pw] } });
    log.error({ err: Object.assign(new Error('Failed to refresh slots cache.'), { lastNodeError: refused('pw-nested-1'), at: new Date('2026-01-01T00:00:00Z'), body: Buffer.from('abc') }) }, 'cluster');
    log.error({ err: new AggregateError([refused('pw-aggregate-2')], 'all failed') }, 'aggregate');
    log.error({ err: new Error('outer', { cause: refused('pw-cause-3') }) }, 'cause');
    const text = out.lines.join('');
    for (const pw of ['pw-nested-1', 'pw-aggregate-2', 'pw-cause-3']) expect(text).not.toContain(pw);
    expect(out.lines).toHaveLength(3);
    expect(text).toContain('"at":"2026-01-01T00:00:00.000Z"');
    expect(text).toContain('"body":"[Buffer of 3 bytes]"');
    expect(text).toContain('WRONGPASS');
  });
});
