// stop() on the HTTP server while a client keeps its connection alive (an Ingress controller's upstream keep-alive
// does): the server must not wait out Node's keep-alive timeout (5 s) before it counts as closed. That wait would come
// out of the shutdown budget (main.ts's 20 s bound, within the pod's grace period) before any draining starts.
import { Agent, request } from 'node:http';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSlackApp } from '../../src/slack/create-app.js';
import { startFakeSlack, type FakeSlack } from '../fakes/fake-slack.js';

let fake: FakeSlack;
beforeAll(async () => {
  fake = await startFakeSlack();
});
afterAll(async () => {
  await fake?.close();
});

function get(url: string, agent: Agent): Promise<{ status: number; connection: string | undefined }> {
  return new Promise((resolve, reject) => {
    request(url, { agent }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection }));
    })
      .on('error', reject)
      .end();
  });
}

describe('createSlackApp stop()', () => {
  it('closes kept-alive connections once their responses are sent, without waiting for the keep-alive timeout', async () => {
    let slowArrived!: () => void;
    const arrived = new Promise<void>((resolve) => (slowArrived = resolve));
    const slack = createSlackApp({
      botToken: fake.botToken,
      signingSecret: 'test-signing-secret-0123456789',
      socketMode: false,
      slackApiUrl: fake.apiUrl,
      port: 0,
      logger: pino({ level: 'silent' }),
      customRoutes: [
        { path: '/fast', method: 'GET', handler: (_req, res) => res.writeHead(200).end('ok') },
        {
          path: '/slow',
          method: 'GET',
          handler: (_req, res) => {
            slowArrived();
            setTimeout(() => res.writeHead(200).end('ok'), 300);
          },
        },
      ],
    });
    const address = await slack.start();
    const agent = new Agent({ keepAlive: true, maxSockets: 2 });
    try {
      // One connection idle in the agent's pool, one with a response in flight when stop() is called.
      expect((await get(`${address!.url}/fast`, agent)).connection).toBe('keep-alive');
      const inFlight = get(`${address!.url}/slow`, agent);
      // The server has the request (not a fixed pause: a request still on its way when stop() closes the idle
      // connection would be cut off, and the test would fail for the wrong reason).
      await arrived;
      const started = Date.now();
      await slack.stop();
      const took = Date.now() - started;
      expect((await inFlight).status).toBe(200); // the response in flight is still sent
      // Waiting out Node's keep-alive timeout would take 5 s after that response (~0.3 s): the bound sits as far from
      // both as it can, so a loaded machine doesn't fail a correct stop().
      expect(took).toBeLessThan(4000);
    } finally {
      agent.destroy();
    }
  });
});
