// components/prometheus's alerts (prometheusrule.yaml): shipped by the component, well formed, and reading only what
// the app really exports. An alert on a metric name that doesn't exist never fires, and nobody notices until the
// outage it was for; so every name and label an expression reads is looked up in the exposition text of the real
// createMetrics(), with every source set so that each metric has its series.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import { createMetrics, type AtlasCallStatus } from '../../src/http/metrics.js';
import { IN_FLIGHT_STATES } from '../../src/http/in-flight-metrics.js';
import { PrometheusRule } from '../helpers/prometheus-rule-model.js';
import { baseMetricName, readExposition, selectorsOf, type ExposedMetric, type LabelMatcher } from '../helpers/promql-names.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const COMPONENT = resolve(dirname(fileURLToPath(import.meta.url)), '../../manifests/components/prometheus');
const readYaml = (file: string): Obj[] => parseAllDocuments(readFileSync(join(COMPONENT, file), 'utf8')).map((d) => {
  if (d.errors.length > 0) throw new Error(`${file}: ${d.errors.map((e) => e.message).join('; ')}`);
  return d.toJS() as Obj;
});

const ruleDocs = readYaml('prometheusrule.yaml');
const alerts: Obj[] = (ruleDocs[0]?.spec?.groups ?? []).flatMap((g: Obj) => g.rules as Obj[]);
const monitor = readYaml('servicemonitor.yaml')[0]!;

/** Labels the Prometheus Operator puts on every target of a ServiceMonitor (and so on `up` and every sample). */
const OPERATOR_TARGET_LABELS = ['job', 'instance', 'namespace', 'service', 'pod', 'container', 'endpoint'];
/** Series Prometheus writes itself for each target, not the app. */
const SCRAPE_SERIES = new Set(['up']);

/** What the transport reports as an Atlas call's status (AtlasCallStatus): HTTP statuses, and why there was none. */
const ATLAS_STATUSES: AtlasCallStatus[] = [200, 201, 202, 204, 400, 401, 403, 404, 409, 429, 500, 502, 503, 504, 'timeout', 'network'];

/** The app's /metrics text, with every source set and every metric given a series (as a busy bot has them). */
async function exposition(): Promise<string> {
  const metrics = createMetrics();
  const now = Date.now() / 1000;
  metrics.setPendingApprovalsSource(async () => 1);
  metrics.setDrillSource(async () => [{ drill: 'orders-weekly', lastSuccessAt: now - 3600, lastDurationSeconds: 600, firstScheduledAt: now - 86400 }]);
  metrics.setInFlightSource(async () => IN_FLIGHT_STATES.map((state) => ({ state, since: new Date().toISOString() })));
  metrics.setSlackTokenSource(() => ({ ok: false }));
  metrics.setRedisEvictingSource(() => true);
  for (const status of ATLAS_STATUSES) metrics.atlasAnswer({ endpoint: 'GET clusters/restoreJobs/{id}', status, rateLimit: { limit: 1200, remaining: 1100 } });
  metrics.slackRequests.inc({ kind: 'command', outcome: 'ok' });
  metrics.restoreDuration.observe({ cluster_type: 'dedicated', state: 'completed' }, 600);
  metrics.pollLag.observe(1);
  metrics.finalNotificationsAbandoned.inc();
  metrics.redisStateLosses.inc();
  return metrics.text();
}

/** Labels a grouping clause takes away (`without (…)`), for the annotations' `$labels` check. */
function labelsRemoved(expr: string): Set<string> {
  const removed = new Set<string>();
  for (const m of expr.matchAll(/\bwithout\s*\(([^)]*)\)/g)) for (const l of m[1]!.split(',')) removed.add(l.trim());
  return removed;
}

/** Every name or label an alert reads that the exposition (or the scrape) doesn't have. */
function unknownReferences(rules: Obj[], exposed: Map<string, ExposedMetric>): string[] {
  const problems: string[] = [];
  for (const rule of rules) {
    const expr = String(rule.expr);
    const labelsRead = new Set<string>(OPERATOR_TARGET_LABELS);
    for (const { metric, matchers } of selectorsOf(expr)) {
      const name = baseMetricName(metric);
      const found = exposed.get(name) ?? exposed.get(metric);
      if (!found && !SCRAPE_SERIES.has(metric)) {
        problems.push(`${rule.alert}: ${metric} is not a metric the app exports`);
        continue;
      }
      const labels = found?.labels ?? new Map<string, Set<string>>();
      for (const l of labels.keys()) labelsRead.add(l);
      for (const { label, op, value } of matchers) {
        if (OPERATOR_TARGET_LABELS.includes(label)) continue;
        const values = labels.get(label);
        if (!values) {
          problems.push(`${rule.alert}: ${metric} has no label ${label}`);
          continue;
        }
        // Each alternative of a regex, or the value, must match a value the app exports.
        const wanted = op === '=' || op === '!=' ? [value] : value.split('|');
        for (const w of wanted) {
          const re = op === '=' || op === '!=' ? undefined : new RegExp(`^(?:${w})$`);
          if (![...values].some((v) => (re ? re.test(v) : v === w))) problems.push(`${rule.alert}: ${metric}{${label}} never has a value matching "${w}"`);
        }
      }
    }
    const removed = labelsRemoved(expr);
    for (const text of Object.values((rule.annotations ?? {}) as Record<string, string>)) {
      for (const [, label] of text.matchAll(/\$labels\.(\w+)/g)) {
        if (!labelsRead.has(label!) || removed.has(label!)) problems.push(`${rule.alert}: its annotations use $labels.${label}, which its expression doesn't keep`);
      }
    }
  }
  return problems;
}

describe('components/prometheus: alert rules', () => {
  it('ships one PrometheusRule, listed by the component\'s kustomization', () => {
    expect(ruleDocs.map((d) => `${d.apiVersion} ${d.kind}`)).toEqual(['monitoring.coreos.com/v1 PrometheusRule']);
    const kustomization = readYaml('kustomization.yaml')[0]!;
    expect(kustomization.kind).toBe('Component');
    expect(kustomization.resources).toContain('prometheusrule.yaml');
  });

  it('is valid against the CRD\'s schema, which refuses a misspelt or malformed field (the check can fail)', () => {
    expect(() => new PrometheusRule(ruleDocs[0]).validate()).not.toThrow();
    const broken = structuredClone(ruleDocs[0]!);
    broken.spec.groups[0].rules[0].fro = '5m';
    broken.spec.groups[0].rules[1].for = '5 minutes';
    broken.spec.groups[0].rules[2].record = 'atlas_restore:x';
    expect(() => new PrometheusRule(broken).validate()).toThrow(/additional properties \(fro\).*\/spec\/groups\/0\/rules\/1\/for must match pattern.*\/spec\/groups\/0\/rules\/2 must match exactly one schema/);
  });

  it('gives every alert a unique name, a severity, a summary and a description', () => {
    expect(alerts.length).toBeGreaterThanOrEqual(8);
    const names = alerts.map((a) => a.alert);
    expect(new Set(names).size).toBe(names.length);
    for (const a of alerts) {
      expect(a.alert, JSON.stringify(a)).toMatch(/^AtlasRestore[A-Z]\w+$/);
      expect(['critical', 'warning'], a.alert).toContain(a.labels?.severity);
      expect(String(a.annotations?.summary ?? '').length, `${a.alert} summary`).toBeGreaterThan(20);
      expect(String(a.annotations?.description ?? '').length, `${a.alert} description`).toBeGreaterThan(60);
    }
  });

  it('covers what the README says to alert on', () => {
    const read = alerts.flatMap((a) => selectorsOf(String(a.expr)).map((s) => baseMetricName(s.metric)));
    for (const metric of [
      'atlas_restore_final_notifications_abandoned_total',
      'atlas_restore_slack_token_refused',
      'atlas_restore_redis_state_losses_total',
      'atlas_restore_redis_evicting',
      'atlas_restore_drill_last_success_timestamp_seconds',
      'atlas_restore_drill_first_scheduled_timestamp_seconds',
      'atlas_restore_atlas_ratelimit_remaining',
      'atlas_restore_oldest_running_restore_seconds',
      'atlas_restore_poll_lag_seconds',
      'up',
    ]) expect(read, metric).toContain(metric);
  });

  // Figures read from Redis are the same on every replica: a sum would double them with two replicas.
  it("counts a success of Atlas's API only, never a service-account token answered 200 (it would hide a key refused 403)", () => {
    const has = (ms: LabelMatcher[], label: string, op: LabelMatcher['op'], value: string) => ms.some((m) => m.label === label && m.op === op && m.value === value);
    const successes = alerts.flatMap((a) =>
      selectorsOf(String(a.expr))
        .filter((s) => s.metric === 'atlas_restore_atlas_calls_total' && has(s.matchers, 'status', '=~', '2..'))
        .map((s) => ({ alert: a.alert, matchers: s.matchers })),
    );
    expect(successes.length).toBeGreaterThan(0);
    expect(successes.filter((s) => !has(s.matchers, 'endpoint', '!=', 'POST oauth/token')).map((s) => s.alert)).toEqual([]);
  });

  it('never sums a figure every replica reads from Redis', () => {
    const fromRedis = /atlas_restore_(drill_\w+|requests_in_flight|oldest_running_restore_seconds|approvals_pending)\b/;
    const summed = alerts.filter((a) => /\bsum\b/.test(String(a.expr)) && fromRedis.test(String(a.expr))).map((a) => a.alert);
    expect(summed).toEqual([]);
  });

  it('reads only metric names and labels the app exports (the real createMetrics() text)', async () => {
    const exposed = readExposition(await exposition());
    expect(exposed.get('atlas_restore_poll_lag_seconds')?.type).toBe('histogram');
    expect(unknownReferences(alerts, exposed)).toEqual([]);
  });

  it('reports a rule that reads a name or label the app doesn\'t export (the check can fail)', async () => {
    const exposed = readExposition(await exposition());
    const wrong = [
      { alert: 'Misspelt', expr: 'max without (instance, pod) (atlas_restore_slack_token_refused_total) > 0' },
      { alert: 'WrongBucket', expr: 'histogram_quantile(0.9, sum by (le) (rate(atlas_restore_poll_lags_seconds_bucket[5m]))) > 1' },
      { alert: 'WrongLabel', expr: 'max(atlas_restore_requests_in_flight{status="approved"}) > 0' },
      { alert: 'WrongValue', expr: 'max(atlas_restore_requests_in_flight{state=~"approved|submited"}) > 0' },
      { alert: 'DroppedLabel', expr: 'max without (instance, pod) (atlas_restore_redis_evicting) > 0', annotations: { summary: 'on {{ $labels.pod }}' } },
    ];
    expect(unknownReferences(wrong, exposed)).toEqual([
      'Misspelt: atlas_restore_slack_token_refused_total is not a metric the app exports',
      'WrongBucket: atlas_restore_poll_lags_seconds_bucket is not a metric the app exports',
      'WrongLabel: atlas_restore_requests_in_flight has no label status',
      'WrongValue: atlas_restore_requests_in_flight{state} never has a value matching "submited"',
      "DroppedLabel: its annotations use $labels.pod, which its expression doesn't keep",
    ]);
  });

  // The Operator labels each target endpoint="<port name>": a sample's own `endpoint` (atlas_calls_total, the rate
  // limits) would be renamed exported_endpoint, and the README's queries and these alerts would read "http".
  it('scrapes without renaming the app\'s labels: no target label the Operator adds collides with one the app exports', async () => {
    const exposed = readExposition(await exposition());
    const appLabels = new Set([...exposed.values()].flatMap((m) => [...m.labels.keys()]));
    const dropped = (monitor.spec.endpoints as Obj[]).flatMap((e) => (e.relabelings ?? []) as Obj[]).filter((r) => r.action === 'labeldrop').map((r) => new RegExp(`^(?:${r.regex})$`));
    const colliding = OPERATOR_TARGET_LABELS.filter((l) => appLabels.has(l) && !dropped.some((re) => re.test(l)));
    expect(colliding).toEqual([]);
    // The labels the rules aggregate by and the `up` alert's job stay.
    for (const kept of ['job', 'instance', 'namespace', 'pod']) expect(dropped.some((re) => re.test(kept)), kept).toBe(false);
  });

  const promtool = (() => {
    try {
      execFileSync('promtool', ['--version'], { stdio: 'ignore', timeout: 10_000 });
      return true;
    } catch {
      console.warn('prometheus-rules.test.ts: `promtool check rules` is skipped because promtool is not on PATH (Debian: package prometheus)');
      return false;
    }
  })();

  it.skipIf(!promtool)('passes promtool check rules', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rules-'));
    try {
      const file = join(dir, 'atlas-restore.rules.yaml');
      writeFileSync(file, stringify({ groups: ruleDocs[0]!.spec.groups }));
      execFileSync('promtool', ['check', 'rules', file], { encoding: 'utf8', timeout: 30_000 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
