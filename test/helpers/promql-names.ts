// What a PromQL expression reads: its metric names and the label matchers of its selectors, for prometheus-rules.test.ts
// (every name an alert reads must be one the app exports). Not a PromQL parser: it knows selectors `name{…}`, ranges
// `[…]`, grouping lists `by (…)` / `without (…)` / `on (…)`, function calls and keywords, which is all rules use; a
// construct it doesn't know makes names appear that the test then reports, so a mistake here shows, never hides.

export interface LabelMatcher {
  label: string;
  op: '=' | '!=' | '=~' | '!~';
  value: string;
}

export interface Selector {
  metric: string;
  matchers: LabelMatcher[];
}

const KEYWORDS = new Set([
  'and', 'or', 'unless', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'offset', 'bool', 'inf', 'nan', 'atan2',
]);
const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';

function parseMatchers(text: string): LabelMatcher[] {
  const matchers: LabelMatcher[] = [];
  const re = /([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"/g;
  for (const m of text.matchAll(re)) matchers.push({ label: m[1]!, op: m[2] as LabelMatcher['op'], value: m[3]! });
  const rest = text.replace(re, '').replace(/[\s,]/g, '');
  if (rest !== '') throw new Error(`unreadable label matchers {${text}}`);
  return matchers;
}

/** The selectors of an expression: each metric it reads, with the matchers written on it ({} when none). */
export function selectorsOf(expr: string): Selector[] {
  const selectors: Selector[] = [];
  // 1. Selectors with matchers; a bare `{…}` (a matcher on __name__) is not used by the rules and would be refused.
  let rest = expr.replace(new RegExp(`(${NAME})?\\s*\\{([^}]*)\\}`, 'g'), (_all, metric: string | undefined, body: string) => {
    if (!metric) throw new Error(`a selector without a metric name: {${body}}`);
    selectors.push({ metric, matchers: parseMatchers(body) });
    return ' ';
  });
  // 2. Ranges and subqueries, grouping label lists, string literals (none should be left), numbers with units.
  rest = rest
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/"(?:[^"\\]|\\.)*"/g, ' ');
  // 3. Names that are neither a function call nor a keyword nor part of a number (`1h`, `0.9`, `1e3`).
  for (const m of rest.matchAll(new RegExp(`(?<![\\w.:])(${NAME})(?![\\w:])(\\s*\\()?`, 'g'))) {
    const [, name, call] = m;
    if (call || KEYWORDS.has(name!.toLowerCase())) continue;
    selectors.push({ metric: name!, matchers: [] });
  }
  return selectors;
}

/** A histogram's or summary's series name → the metric it belongs to. */
export function baseMetricName(series: string): string {
  return series.replace(/_(bucket|sum|count)$/, '');
}

export interface ExposedMetric {
  type: string;
  /** Label name → the values seen on its samples. */
  labels: Map<string, Set<string>>;
}

/** The metrics of a Prometheus text exposition, by name (`# TYPE` lines), with the labels their samples carry. */
export function readExposition(text: string): Map<string, ExposedMetric> {
  const metrics = new Map<string, ExposedMetric>();
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type) {
      metrics.set(type[1]!, { type: type[2]!, labels: new Map() });
      continue;
    }
    const sample = new RegExp(`^(${NAME})(?:\\{(.*)\\})? \\S+$`).exec(line);
    if (!sample) continue;
    const metric = metrics.get(sample[1]!) ?? metrics.get(baseMetricName(sample[1]!));
    if (!metric) continue;
    for (const m of (sample[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      const values = metric.labels.get(m[1]!) ?? new Set<string>();
      values.add(m[2]!);
      metric.labels.set(m[1]!, values);
    }
  }
  return metrics;
}
