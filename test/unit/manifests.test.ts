// The Kubernetes manifests under manifests/: every YAML parses, every object is valid against the Kubernetes schemas
// (kubernetes-models), every path a kustomization names exists, and the Deployment / Redis settings the app relies on hold.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { StatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { parsePolicy } from '../../src/policy/load-policy.js';
import { PrometheusRule } from '../helpers/prometheus-rule-model.js';
import { ServiceMonitor } from '../helpers/service-monitor-model.js';

const MANIFESTS = resolve(dirname(fileURLToPath(import.meta.url)), '../../manifests');
const KUSTOMIZE_KINDS = new Set(['Kustomization', 'Component']);

/** apiVersion/kind → a kubernetes-models class. A kind we ship but cannot validate is an error, not a skip. */
const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'apps/v1/Deployment': Deployment,
  'apps/v1/StatefulSet': StatefulSet,
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'v1/ServiceAccount': ServiceAccount,
  'networking.k8s.io/v1/Ingress': Ingress,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'monitoring.coreos.com/v1/ServiceMonitor': ServiceMonitor,
  'monitoring.coreos.com/v1/PrometheusRule': PrometheusRule,
};

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
interface Doc { file: string; value: unknown }

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return yamlFiles(path);
    return /\.ya?ml$/.test(name) ? [path] : [];
  });
}

function loadDocs(root: string): Doc[] {
  return yamlFiles(root).flatMap((file) =>
    parseAllDocuments(readFileSync(file, 'utf8')).map((doc) => {
      if (doc.errors.length > 0) throw new Error(`${relative(root, file)}: ${doc.errors.map((e) => e.message).join('; ')}`);
      return { file, value: doc.toJS() as unknown };
    }),
  );
}

const isKustomization = (d: Doc) => KUSTOMIZE_KINDS.has((d.value as Obj | null)?.kind);

/** Every problem with the kustomizations under root: missing resources/components/patches, orphan YAML files. */
function kustomizationProblems(root: string): string[] {
  const problems: string[] = [];
  const referenced = new Set<string>();
  for (const k of loadDocs(root).filter(isKustomization)) {
    const v = k.value as Obj;
    const dir = dirname(k.file);
    const where = relative(root, k.file);
    const check = (field: string, ref: unknown, mustBeDir = false) => {
      if (typeof ref !== 'string') return problems.push(`${where}: ${field} entry ${JSON.stringify(ref)} is not a path`);
      const path = resolve(dir, ref);
      if (!existsSync(path)) return problems.push(`${where}: ${field} "${ref}" does not exist`);
      if (statSync(path).isDirectory()) {
        if (!['kustomization.yaml', 'kustomization.yml'].some((n) => existsSync(join(path, n))))
          return problems.push(`${where}: ${field} "${ref}" is a directory without a kustomization.yaml`);
      } else if (mustBeDir) {
        return problems.push(`${where}: ${field} "${ref}" must be a directory`);
      }
      referenced.add(path);
    };
    for (const r of v.resources ?? []) check('resources', r);
    for (const c of v.components ?? []) check('components', c, true);
    for (const p of v.patches ?? []) if (typeof p?.path === 'string' || p?.patch === undefined) check('patches', p?.path);
    for (const p of v.patchesStrategicMerge ?? []) check('patchesStrategicMerge', p);
  }
  for (const file of yamlFiles(root)) {
    if (/kustomization\.ya?ml$/.test(file)) continue;
    if (!referenced.has(file)) problems.push(`${relative(root, file)} is not referenced by any kustomization`);
  }
  return problems;
}

/** Files used as patches: partial objects (strategic merge) or JSON 6902 operation lists, not whole objects. */
function patchFiles(docs: Doc[]): Set<string> {
  const files = new Set<string>();
  for (const k of docs.filter(isKustomization)) {
    for (const p of (k.value as Obj).patches ?? []) if (typeof p?.path === 'string') files.add(resolve(dirname(k.file), p.path));
  }
  return files;
}

function validationProblems(objects: Obj[], label: (o: Obj) => string): string[] {
  return objects.flatMap((o) => {
    const Model = MODELS[`${o.apiVersion}/${o.kind}`];
    if (!Model) return [`${label(o)}: no schema for ${o.apiVersion} ${o.kind}: add it to MODELS`];
    try {
      new Model(o as never).validate();
      return [];
    } catch (err) {
      return [`${label(o)}: ${(err as Error).message}`];
    }
  });
}

/**
 * kubectl's built-in kustomize, when installed and new enough: the overlays are rendered as `kubectl apply -k` would.
 * `components` need kustomize 3.7 and `labels` 4.2 (kubectl 1.22): an older one (Debian bookworm's kubectl is 1.20)
 * would fail on what is valid. Without it the render tests are skipped, saying so; the checks below that need no
 * kubectl (every file exists, every patch applies to an object that has what it patches) still run.
 */
function kustomizeProblem(): string | undefined {
  let out: string;
  try {
    out = execFileSync('kubectl', ['version', '--client'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000 });
  } catch {
    return '`kubectl` is not on PATH';
  }
  const [major = 0, minor = 0] = (/Kustomize Version: v?(\d+)\.(\d+)/.exec(out)?.slice(1) ?? []).map(Number);
  return major > 4 || (major === 4 && minor >= 2) ? undefined : `kubectl's kustomize is older than 4.2 (${out.trim().split('\n').join(', ')})`;
}
const kustomizeMissing = kustomizeProblem();
if (kustomizeMissing) console.warn(`manifests.test.ts: the overlay render tests are skipped because ${kustomizeMissing}`);
const kubectl = kustomizeMissing === undefined;

/** A JSON 6902 operation list (kustomize `patches` with a `target`), applied to a copy of `target`. */
function applyJsonPatch(target: Obj, ops: Obj[]): { result?: Obj; problem?: string } {
  const result = structuredClone(target);
  for (const op of ops) {
    const keys = String(op.path).split('/').slice(1).map((k) => k.replace(/~1/g, '/').replace(/~0/g, '~'));
    const last = keys.pop();
    let parent: Obj | undefined = result;
    for (const key of keys) parent = parent?.[key];
    if (parent === undefined || parent === null || typeof parent !== 'object' || last === undefined) return { problem: `${op.op} ${op.path}: ${keys.join('/') || '/'} does not exist` };
    if (op.op === 'add') {
      if (Array.isArray(parent)) parent.splice(last === '-' ? parent.length : Number(last), 0, op.value);
      else parent[last] = op.value;
    } else if (op.op === 'remove' || op.op === 'replace') {
      if (!(last in parent)) return { problem: `${op.op} ${op.path}: there is nothing at ${op.path}` };
      if (op.op === 'replace') parent[last] = op.value;
      else if (Array.isArray(parent)) parent.splice(Number(last), 1);
      else delete parent[last];
    } else {
      return { problem: `${op.op} ${op.path}: an operation this check does not know` };
    }
  }
  return { result };
}

/** Every JSON 6902 patch of the kustomizations: its target exists, each operation applies, and the result is valid. */
function jsonPatchProblems(all: Doc[], root: string): string[] {
  const problems: string[] = [];
  const patchFilesOf = patchFiles(all);
  const objectsOf = all.filter((d) => !isKustomization(d) && !patchFilesOf.has(d.file)).map((d) => d.value as Obj);
  for (const k of all.filter(isKustomization)) {
    for (const p of (k.value as Obj).patches ?? []) {
      const file = typeof p?.path === 'string' ? resolve(dirname(k.file), p.path) : undefined;
      const ops = all.find((d) => d.file === file)?.value;
      if (!Array.isArray(ops)) continue; // a strategic-merge patch: checked by target above
      const where = `${relative(root, k.file)}: ${p.path}`;
      const targets = objectsOf.filter((o) => o.kind === p.target?.kind && (p.target?.name === undefined || o.metadata?.name === p.target.name));
      if (targets.length === 0) problems.push(`${where}: no ${p.target?.kind}/${p.target?.name} to patch`);
      for (const target of targets) {
        const { result, problem } = applyJsonPatch(target, ops as Obj[]);
        if (problem) problems.push(`${where}: ${problem}`);
        else problems.push(...validationProblems([result!], (o) => `${where}: the patched ${o.kind}/${o.metadata?.name}`));
      }
    }
  }
  return problems;
}

/**
 * The ConfigMaps a kustomization's configMapGenerator makes (from `literals` and `files`), under their names before
 * kustomize adds the hash: what overlays patch and the checks below read. An overlay's `behavior: merge` is a patch.
 */
function generatedConfigMaps(all: Doc[]): Doc[] {
  return all.filter(isKustomization).flatMap((k) =>
    ((k.value as Obj).configMapGenerator ?? [])
      .filter((g: Obj) => (g.behavior ?? 'create') === 'create')
      .map((g: Obj) => {
        const data: Record<string, string> = {};
        for (const literal of g.literals ?? []) {
          const at = String(literal).indexOf('=');
          data[String(literal).slice(0, at)] = String(literal).slice(at + 1);
        }
        for (const file of g.files ?? []) {
          const [key, path = key] = String(file).split('=');
          data[basename(key!)] = readFileSync(resolve(dirname(k.file), path!), 'utf8');
        }
        return { file: k.file, value: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: g.name }, data } };
      }),
  );
}

/** The environment ConfigMap as rendered: kustomize appends a hash of its data to its name. */
const isEnvConfigMap = (o: Obj) => o.kind === 'ConfigMap' && /^atlas-restore-env-[a-z0-9]{10}$/.test(o.metadata?.name);

const docs = [...loadDocs(MANIFESTS), ...generatedConfigMaps(loadDocs(MANIFESTS))];
const patches = patchFiles(docs);
const objects = docs.filter((d) => !isKustomization(d) && !patches.has(d.file));
const find = (kind: string, name: string) => objects.find((d) => (d.value as Obj).kind === kind && (d.value as Obj).metadata?.name === name)?.value as Obj;

describe('manifests: structure', () => {
  it('finds the base, the Redis and Prometheus components and the overlays', () => {
    const kustomizations = docs.filter(isKustomization).map((d) => relative(MANIFESTS, d.file)).sort();
    expect(kustomizations).toEqual([
      'base/kustomization.yaml',
      'components/managed-redis-tls/kustomization.yaml',
      'components/prometheus/kustomization.yaml',
      'components/redis-private-ca/kustomization.yaml',
      'components/redis/kustomization.yaml',
      'overlays/dev/kustomization.yaml',
      'overlays/managed-redis/kustomization.yaml',
      'overlays/production/kustomization.yaml',
    ]);
  });

  it('every resource, component and patch a kustomization names exists, and every YAML file is used', () => {
    expect(kustomizationProblems(MANIFESTS)).toEqual([]);
  });

  it('reports a referenced file that is missing (the check can fail)', () => {
    const copy = mkdtempSync(join(tmpdir(), 'manifests-'));
    try {
      cpSync(MANIFESTS, copy, { recursive: true });
      rmSync(join(copy, 'base/deployment.yaml'));
      rmSync(join(copy, 'overlays/dev/deployment-patch.yaml'));
      expect(kustomizationProblems(copy)).toEqual([
        'base/kustomization.yaml: resources "deployment.yaml" does not exist',
        'overlays/dev/kustomization.yaml: patches "deployment-patch.yaml" does not exist',
      ]);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });

  it('every JSON 6902 patch applies to its target (without kubectl too) and leaves it valid', () => {
    expect(jsonPatchProblems(docs, MANIFESTS)).toEqual([]);
  });

  it('reports a JSON 6902 patch whose target or path is gone (the check can fail)', () => {
    const copy = mkdtempSync(join(tmpdir(), 'manifests-'));
    try {
      cpSync(MANIFESTS, copy, { recursive: true });
      // The base's budget written with maxUnavailable: dev's patch removes a minAvailable that is no longer there.
      const pdb = join(copy, 'base/poddisruptionbudget.yaml');
      writeFileSync(pdb, readFileSync(pdb, 'utf8').replace('minAvailable: 1', 'maxUnavailable: 1'));
      // The app's NetworkPolicy renamed: the managed Redis egress rule would patch nothing.
      const policy = join(copy, 'base/networkpolicy.yaml');
      writeFileSync(policy, readFileSync(policy, 'utf8').replace('name: atlas-restore\n', 'name: atlas-restore-bot\n'));
      expect(jsonPatchProblems(loadDocs(copy), copy)).toEqual([
        'components/managed-redis-tls/kustomization.yaml: networkpolicy-egress.yaml: no NetworkPolicy/atlas-restore to patch',
        'overlays/dev/kustomization.yaml: poddisruptionbudget-patch.yaml: remove /spec/minAvailable: there is nothing at /spec/minAvailable',
      ]);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });

  it('every strategic-merge patch targets an object that exists', () => {
    const targets = docs.filter((d) => patches.has(d.file) && !Array.isArray(d.value)).map((d) => d.value as Obj);
    expect(targets.length).toBeGreaterThan(0);
    for (const t of targets) expect(find(t.kind, t.metadata?.name), `${t.kind}/${t.metadata?.name}`).toBeDefined();
  });
});

describe('manifests: Kubernetes schemas', () => {
  it('every object in manifests/ is valid', () => {
    expect(objects.length).toBeGreaterThanOrEqual(12);
    expect(validationProblems(objects.map((d) => d.value as Obj), (o) => `${o.kind}/${o.metadata?.name}`)).toEqual([]);
  });

  it('rejects an invalid object (the check can fail)', () => {
    const broken = structuredClone(find('Deployment', 'atlas-restore'));
    broken.spec.replicas = 'two';
    delete broken.spec.template.spec.containers;
    const problems = validationProblems([broken, { apiVersion: 'v1', kind: 'Pod' }], (o) => String(o.kind));
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/replicas must be integer|containers/);
    expect(problems[1]).toMatch(/no schema for v1 Pod/);
  });

  // kubectl's built-in kustomize renders each overlay as `kubectl apply -k` would; every rendered object must validate.
  for (const overlay of ['dev', 'production']) {
    it.skipIf(!kubectl)(`overlay ${overlay} renders with kustomize into valid objects`, () => {
      const out = execFileSync('kubectl', ['kustomize', join(MANIFESTS, 'overlays', overlay)], { encoding: 'utf8', timeout: 30_000 });
      const rendered = parseAllDocuments(out).map((d) => d.toJS() as Obj);
      expect(validationProblems(rendered, (o) => `${overlay}: ${o.kind}/${o.metadata?.name}`)).toEqual([]);
      const deployment = rendered.find((o) => o.kind === 'Deployment');
      const env = rendered.find(isEnvConfigMap);
      expect(deployment?.spec.replicas).toBe(overlay === 'dev' ? 1 : 2);
      expect(env?.data.SLACK_SOCKET_MODE).toBe(overlay === 'dev' ? 'true' : 'false');
      expect(env?.data.DRY_RUN).toBe(overlay === 'dev' ? 'true' : 'false');
      expect(rendered.some((o) => o.kind === 'StatefulSet')).toBe(true);
      if (overlay === 'production') {
        const paths = rendered.filter((o) => o.kind === 'Ingress').flatMap((i) => i.spec.rules.flatMap((r: Obj) => r.http.paths));
        expect(paths.map((p: Obj) => p.path)).toEqual(['/slack/events']);
      }
    });
  }

  // The pods read atlas-restore-env once, at start: a plain ConfigMap changed by `kubectl apply -k` (DRY_RUN turned on
  // for a maintenance, say) would change nothing until some pod restarts, and then replicas would disagree. Generated,
  // its name carries a hash of its data, so a change is a new name in the pod template: a rollout.
  it.skipIf(!kubectl)('a change to the environment settings rolls the pods (atlas-restore-env is generated, its name hashed)', () => {
    const render = (dir: string) => parseAllDocuments(execFileSync('kubectl', ['kustomize', join(dir, 'overlays', 'production')], { encoding: 'utf8', timeout: 30_000 })).map((d) => d.toJS() as Obj);
    const envNameOf = (rendered: Obj[]) => {
      const refs = (rendered.find((o) => o.kind === 'Deployment')!.spec.template.spec.containers[0].envFrom as Obj[]).map((e) => e.configMapRef?.name).filter(Boolean);
      const maps = rendered.filter((o) => o.kind === 'ConfigMap' && /^atlas-restore-env(-|$)/.test(o.metadata.name)).map((o) => o.metadata.name);
      expect(refs).toEqual(maps);
      return maps[0] as string;
    };
    const before = envNameOf(render(MANIFESTS));
    expect(before).toMatch(/^atlas-restore-env-[a-z0-9]{10}$/);
    const copy = mkdtempSync(join(tmpdir(), 'manifests-'));
    try {
      cpSync(MANIFESTS, copy, { recursive: true });
      writeFileSync(join(copy, 'overlays/production/env-patch.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: atlas-restore-env\ndata:\n  DRY_RUN: "true"\n');
      const kustomization = join(copy, 'overlays/production/kustomization.yaml');
      writeFileSync(kustomization, `${readFileSync(kustomization, 'utf8')}  - path: env-patch.yaml\n`);
      const after = render(copy);
      expect(after.find((o) => o.kind === 'ConfigMap' && o.metadata.name === envNameOf(after))!.data.DRY_RUN).toBe('true');
      expect(envNameOf(after)).not.toBe(before);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });

  it.skipIf(!kubectl)('overlay managed-redis takes REDIS_URL from the Secret (not rendered), mounts the CA, opens egress to it, and has no in-cluster Redis', () => {
    const out = execFileSync('kubectl', ['kustomize', join(MANIFESTS, 'overlays', 'managed-redis')], { encoding: 'utf8', timeout: 30_000 });
    const rendered = parseAllDocuments(out).map((d) => d.toJS() as Obj);
    expect(validationProblems(rendered, (o) => `managed-redis: ${o.kind}/${o.metadata?.name}`)).toEqual([]);
    expect(rendered.some((o) => o.kind === 'StatefulSet' || o.metadata.name === 'atlas-restore-redis')).toBe(false);
    const env = rendered.find(isEnvConfigMap)!.data;
    // REDIS_URL (rediss://, with the password) comes from the Secret the operator creates: none is rendered.
    expect(env.REDIS_URL).toBeUndefined();
    expect(rendered.some((o) => o.kind === 'Secret')).toBe(false);
    const envFrom = rendered.find((o) => o.kind === 'Deployment')!.spec.template.spec.containers[0].envFrom as Obj[];
    expect(envFrom.map((e) => e.secretRef?.name).filter(Boolean)).toEqual(['atlas-restore-secrets']);
    // REDIS_TLS_CA_FILE names a file of the mounted CA ConfigMap.
    const pod = rendered.find((o) => o.kind === 'Deployment')!.spec.template.spec;
    const mount = pod.containers[0].volumeMounts.find((m: Obj) => env.REDIS_TLS_CA_FILE.startsWith(`${m.mountPath}/`));
    const caMap = pod.volumes.find((v: Obj) => v.name === mount?.name)?.configMap?.name;
    const ca = rendered.find((o) => o.kind === 'ConfigMap' && o.metadata.name === caMap);
    expect(Object.keys(ca?.data ?? {})).toContain(env.REDIS_TLS_CA_FILE.slice(mount.mountPath.length + 1));
    const egress = rendered.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'atlas-restore')!.spec.egress as Obj[];
    // Data nodes on 6379 or 6380 (TLS), and the sentinels on 26379 when REDIS_SENTINELS is set (manifests/README.md, step 3).
    const managed = egress.find((rule) => rule.to?.some((t: Obj) => t.ipBlock?.cidr === '10.0.0.0/8'));
    expect(managed?.ports.map((p: Obj) => p.port)).toEqual([6379, 6380, 26379]);
  });

  it('opens the managed Redis egress on the data ports and the sentinels\' port, without kubectl too', () => {
    const patch = docs.find((d) => relative(MANIFESTS, d.file) === 'components/managed-redis-tls/networkpolicy-egress.yaml')!.value as Obj[];
    const ports = patch.flatMap((op) => (op.op === 'add' && op.path === '/spec/egress/-' ? op.value.ports : [])).map((p: Obj) => `${p.port}/${p.protocol}`);
    expect(ports).toEqual(['6379/TCP', '6380/TCP', '26379/TCP']);
  });
});

describe('manifests: what the app relies on', () => {
  const deployment = find('Deployment', 'atlas-restore');
  const pod = deployment.spec.template.spec;
  const container = pod.containers.find((c: Obj) => c.name === 'atlas-restore');
  const env = find('ConfigMap', 'atlas-restore-env').data;
  /** A probe's port may be a number or a container port name; resolve it to a number. */
  const portOf = (port: number | string) => (typeof port === 'number' ? port : container.ports.find((p: Obj) => p.name === port)?.containerPort);

  it('runs two replicas of node dist/main.js on the PORT the config sets', () => {
    expect(deployment.spec.replicas).toBe(2);
    expect(container.command).toBeUndefined(); // the image's CMD: node dist/main.js
    expect(container.ports.map((p: Obj) => p.containerPort)).toEqual([Number(env.PORT)]);
  });

  it('probes /healthz (liveness) and /readyz (readiness) on the container port', () => {
    expect(container.livenessProbe.httpGet.path).toBe('/healthz');
    expect(container.readinessProbe.httpGet.path).toBe('/readyz');
    expect(portOf(container.livenessProbe.httpGet.port)).toBe(Number(env.PORT));
    expect(portOf(container.readinessProbe.httpGet.port)).toBe(Number(env.PORT));
  });

  it('runs as non-root with a read-only root filesystem, no privilege escalation, no capabilities', () => {
    expect(container.securityContext.runAsNonRoot ?? pod.securityContext.runAsNonRoot).toBe(true);
    expect(container.securityContext.runAsUser ?? pod.securityContext.runAsUser).toBeGreaterThan(0);
    expect(container.securityContext.readOnlyRootFilesystem).toBe(true);
    expect(container.securityContext.allowPrivilegeEscalation).toBe(false);
    expect(container.securityContext.capabilities.drop).toEqual(['ALL']);
    expect((container.securityContext.seccompProfile ?? pod.securityContext.seccompProfile).type).toBe('RuntimeDefault');
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(find('ServiceAccount', pod.serviceAccountName).automountServiceAccountToken).toBe(false);
  });

  it('gives the app time to drain (its shutdown bound in main.ts) and keeps one pod through disruptions', () => {
    // main.ts exits at the latest SHUTDOWN_BOUND_MS after SIGTERM (it runs on import, so read it from the source).
    const mainSource = readFileSync(resolve(MANIFESTS, '../src/main.ts'), 'utf8');
    const boundSeconds = Number(/const SHUTDOWN_BOUND_MS = ([\d_]+);/.exec(mainSource)?.[1]?.replace(/_/g, '')) / 1000;
    expect(boundSeconds).toBeGreaterThan(0);
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(25);
    // preStop first (the pod leaves the Service), then SIGTERM and the app's 20 s bound, all within the grace period.
    const preStop = container.lifecycle?.preStop?.exec?.command as string[] | undefined;
    // coreutils' sleep (the image is Debian slim): a second node process would take about 40 MB for the pause.
    expect(preStop?.[0]).toBe('sleep');
    // …which the image must have: a Debian-based node image (distroless has no sleep).
    const dockerfile = readFileSync(resolve(MANIFESTS, '../Dockerfile'), 'utf8');
    expect(/^ARG NODE_IMAGE=node:[\w.-]+-(bookworm|trixie)(-slim)?$/m.test(dockerfile)).toBe(true);
    const preStopSeconds = Number(preStop?.[1]);
    expect(preStopSeconds).toBeGreaterThan(0);
    // The grace period counts from the start of preStop: SIGKILL must come after the app's own exit.
    expect(preStopSeconds + boundSeconds).toBeLessThan(pod.terminationGracePeriodSeconds);
    expect(find('PodDisruptionBudget', 'atlas-restore').spec.minAvailable).toBe(1);
  });

  // The port (and so /healthz) opens only after Redis answered: the start's wait for an unreachable Redis, then the
  // checks' own 10 s and Slack's auth.test, must fit in the startup probe, or the kubelet kills a pod that was about to start.
  it("gives the start's wait for an unreachable Redis room inside the startup probe", () => {
    const mainSource = readFileSync(resolve(MANIFESTS, '../src/main.ts'), 'utf8');
    const waitSeconds = Number(/const REDIS_START_WAIT_MS = ([\d_]+);/.exec(mainSource)?.[1]?.replace(/_/g, '')) / 1000;
    expect(waitSeconds).toBeGreaterThan(0);
    const probe = container.startupProbe;
    expect(probe.httpGet.path).toBe('/healthz');
    expect(waitSeconds + 10 + 5).toBeLessThan(probe.periodSeconds * probe.failureThreshold);
  });

  it('lets a drain evict unready pods (readiness follows Redis: in a Redis outage every pod is unready)', () => {
    expect(find('PodDisruptionBudget', 'atlas-restore').spec.unhealthyPodEvictionPolicy).toBe('AlwaysAllow');
  });

  it('spreads the replicas over nodes and zones, each revision on its own', () => {
    const spread = pod.topologySpreadConstraints as Obj[];
    expect(spread.map((c) => c.topologyKey).sort()).toEqual(['kubernetes.io/hostname', 'topology.kubernetes.io/zone']);
    for (const c of spread) {
      expect(c.labelSelector.matchLabels).toEqual(deployment.spec.selector.matchLabels);
      // Without it a rolling update counts the old pods it is about to delete, and may put both new ones on one node.
      expect(c.matchLabelKeys).toEqual(['pod-template-hash']);
    }
  });

  it('mounts the policy ConfigMap where RESTORE_POLICY_FILE points', () => {
    const mount = container.volumeMounts.find((m: Obj) => env.RESTORE_POLICY_FILE.startsWith(`${m.mountPath}/`));
    const volume = pod.volumes.find((v: Obj) => v.name === mount?.name);
    const policy = find('ConfigMap', volume?.configMap?.name);
    const fileName = env.RESTORE_POLICY_FILE.slice(mount.mountPath.length + 1);
    expect(Object.keys(policy.data)).toContain(fileName);
    // The example policy must load as the app would load it.
    expect(() => parsePolicy(policy.data[fileName], fileName)).not.toThrow();
  });

  // `kubectl apply -k` of an overlay that holds a Secret overwrites the real one (created out of band) with its
  // placeholders: only the dev overlay, for trying things out, may ship one.
  it('ships an example Secret in the dev overlay only, so applying production never overwrites the real one', () => {
    const secretFiles = docs.filter((d) => (d.value as Obj | null)?.kind === 'Secret').map((d) => relative(MANIFESTS, d.file));
    expect([...new Set(secretFiles)]).toEqual(['overlays/dev/secret.example.yaml']);
  });

  it.skipIf(!kubectl)('renders no Secret for production and managed-redis, and the example one for dev', () => {
    const secrets = (overlay: string) =>
      parseAllDocuments(execFileSync('kubectl', ['kustomize', join(MANIFESTS, 'overlays', overlay)], { encoding: 'utf8', timeout: 30_000 }))
        .map((d) => d.toJS() as Obj)
        .filter((o) => o.kind === 'Secret')
        .map((o) => o.metadata.name);
    expect(secrets('production')).toEqual([]);
    expect(secrets('managed-redis')).toEqual([]);
    expect(secrets('dev').sort()).toEqual(['atlas-restore-redis', 'atlas-restore-secrets']);
  });

  it('keeps secrets out of the ConfigMap', () => {
    const secretKeys = ['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'SLACK_APP_TOKEN', 'ATLAS_PRIVATE_KEY', 'ATLAS_CLIENT_SECRET', 'REDIS_SENTINEL_PASSWORD'];
    expect(Object.keys(env).filter((k) => secretKeys.includes(k))).toEqual([]);
    expect(Object.values(find('Secret', 'atlas-restore-secrets').stringData).every((v) => String(v).includes('REPLACE-ME'))).toBe(true);
  });

  it('runs Redis with appendonly yes and maxmemory-policy noeviction, on a persistent volume', () => {
    const redis = find('StatefulSet', 'atlas-restore-redis');
    const args: string[] = redis.spec.template.spec.containers[0].command;
    const flag = (name: string) => args[args.indexOf(`--${name}`) + 1];
    expect(flag('appendonly')).toBe('yes');
    expect(flag('maxmemory-policy')).toBe('noeviction');
    const conf: string = find('ConfigMap', 'atlas-restore-redis').data['redis.conf'];
    expect(conf).toMatch(/^appendonly yes$/m);
    expect(conf).toMatch(/^maxmemory-policy noeviction$/m);
    expect(redis.spec.volumeClaimTemplates[0].metadata.name).toBe('data');
    // An AOF rewrite forks: copy-on-write and buffers need as much again as the data, or Redis is OOM-killed first.
    const mib = (q: string) => Number(/^(\d+)Mi$/.exec(q)?.[1]);
    const maxmemoryMb = Number(/^maxmemory (\d+)mb$/m.exec(conf)?.[1]);
    const limit = redis.spec.template.spec.containers[0].resources.limits.memory as string;
    expect(maxmemoryMb).toBeGreaterThan(0);
    expect(mib(limit)).toBeGreaterThanOrEqual(2 * maxmemoryMb);
  });

  // Whoever can write the bot's Redis can forge an approved request: a NetworkPolicy is not enough where the CNI
  // doesn't enforce it. One Secret key is Redis's requirepass and the password in the bot's REDIS_URL.
  it('runs Redis with a password from a Secret, and gives the bot the same one in REDIS_URL', () => {
    const redisPod = find('StatefulSet', 'atlas-restore-redis').spec.template.spec;
    const redis = redisPod.containers[0];
    const fromSecret = (e: Obj | undefined) => e?.valueFrom?.secretKeyRef && `${e.valueFrom.secretKeyRef.name}/${e.valueFrom.secretKeyRef.key}`;
    const redisEnv = (name: string) => (redis.env as Obj[]).find((e) => e.name === name);
    const args: string[] = redis.command;
    expect(args[args.indexOf('--requirepass') + 1]).toBe('$(REDIS_PASSWORD)');
    expect(fromSecret(redisEnv('REDIS_PASSWORD'))).toBe('atlas-restore-redis/password');
    // redis-cli exits 0 on NOAUTH and LOADING: the probe authenticates, and looks for PONG.
    expect(fromSecret(redisEnv('REDISCLI_AUTH'))).toBe('atlas-restore-redis/password');
    expect(redis.readinessProbe.exec.command.join(' ')).toMatch(/redis-cli ping \| grep -qx PONG/);

    const patch = docs.find((d) => relative(MANIFESTS, d.file) === 'components/redis/deployment-patch.yaml')!.value as Obj;
    const botEnv = patch.spec.template.spec.containers.find((c: Obj) => c.name === 'atlas-restore').env as Obj[];
    // $(VAR) expands only from variables defined before it.
    expect(botEnv.map((e) => e.name)).toEqual(['REDIS_PASSWORD', 'REDIS_URL']);
    expect(fromSecret(botEnv[0])).toBe('atlas-restore-redis/password');
    expect(botEnv[1]!.value).toBe(`redis://:$(REDIS_PASSWORD)@${find('Service', 'atlas-restore-redis').metadata.name}:6379`);
    expect(env.REDIS_URL).toBeUndefined(); // not in the ConfigMap, where it would carry no password
  });

  it.skipIf(!kubectl)('renders REDIS_URL with the Redis Secret\'s password into the production Deployment', () => {
    const rendered = parseAllDocuments(execFileSync('kubectl', ['kustomize', join(MANIFESTS, 'overlays', 'production')], { encoding: 'utf8', timeout: 30_000 })).map((d) => d.toJS() as Obj);
    const bot = rendered.find((o) => o.kind === 'Deployment')!.spec.template.spec.containers[0];
    expect(bot.env.map((e: Obj) => e.name)).toEqual(['REDIS_PASSWORD', 'REDIS_URL']);
    expect(bot.envFrom.map((e: Obj) => e.configMapRef?.name ?? e.secretRef?.name)).toEqual([rendered.find(isEnvConfigMap)!.metadata.name, 'atlas-restore-secrets']);
    expect(rendered.find(isEnvConfigMap)!.data.REDIS_URL).toBeUndefined();
  });

  // A variable the manifests set and the app doesn't read is a typo or a setting that silently does nothing.
  it('sets only environment variables the app reads (config.ts, redis-config.ts)', () => {
    const source = ['../src/config.ts', '../src/redis/redis-config.ts'].map((f) => readFileSync(resolve(MANIFESTS, f), 'utf8')).join('\n');
    const names = new Set<string>();
    for (const { value } of docs) {
      const o = value as Obj | null;
      if (o?.kind === 'ConfigMap' && o.metadata?.name === 'atlas-restore-env') Object.keys(o.data ?? {}).forEach((k) => names.add(k));
      if (o?.kind === 'Secret' && o.metadata?.name === 'atlas-restore-secrets') Object.keys(o.stringData ?? {}).forEach((k) => names.add(k));
      if (o?.kind === 'Deployment' && o.metadata?.name === 'atlas-restore') {
        for (const c of o.spec?.template?.spec?.containers ?? []) for (const e of c.env ?? []) names.add(e.name);
      }
    }
    // Only there to be expanded into REDIS_URL (components/redis/deployment-patch.yaml).
    names.delete('REDIS_PASSWORD');
    expect(names.size).toBeGreaterThan(10);
    expect([...names].filter((n) => !new RegExp(`['"\`]${n}['"\`]|\\b${n}\\s*:`).test(source))).toEqual([]);
  });

  it('generates atlas-restore-env (a hashed name: a changed setting rolls the pods), without kubectl too', () => {
    const base = docs.find((d) => relative(MANIFESTS, d.file) === 'base/kustomization.yaml')!.value as Obj;
    expect(base.configMapGenerator.map((g: Obj) => g.name)).toContain('atlas-restore-env');
    expect(base.generatorOptions?.disableNameSuffixHash).not.toBe(true);
    expect(docs.filter((d) => (d.value as Obj | null)?.kind === 'ConfigMap' && (d.value as Obj).metadata?.name === 'atlas-restore-env' && !patches.has(d.file)).map((d) => relative(MANIFESTS, d.file))).toEqual(['base/kustomization.yaml']);
  });

  it("leaves the key prefix to the app (its hash-tag default, or the old prefix a deployment's data is under)", () => {
    expect(env.REDIS_KEY_PREFIX).toBeUndefined();
  });
});

// components/prometheus: the README's alerts ask for up{job="atlas-restore"}, so something must scrape /metrics under
// that job name. The Operator names the job after the Service label jobLabel names, and scrapes the Service port named.
describe('manifests: Prometheus scraping (components/prometheus)', () => {
  const monitor = find('ServiceMonitor', 'atlas-restore');
  /** The checks that hold on the objects as written (labels from the base's `labels:` added) and as rendered. */
  function scrapeProblems(services: Obj[], serviceMonitor: Obj): string[] {
    const problems: string[] = [];
    const selected = services.filter((svc) => Object.entries(serviceMonitor.spec.selector.matchLabels as Obj).every(([k, v]) => svc.metadata.labels?.[k] === v));
    if (selected.map((svc) => svc.metadata.name).join() !== 'atlas-restore') problems.push(`selects ${JSON.stringify(selected.map((svc) => svc.metadata.name))}, not the bot's Service alone`);
    const service = selected[0];
    if (!service) return problems;
    for (const endpoint of serviceMonitor.spec.endpoints as Obj[]) {
      if (!service.spec.ports.some((p: Obj) => p.name === endpoint.port)) problems.push(`endpoint port "${endpoint.port}" is not a port name of the Service`);
      if (endpoint.path !== '/metrics') problems.push(`endpoint path ${endpoint.path} is not /metrics`);
    }
    const job = service.metadata.labels?.[serviceMonitor.spec.jobLabel];
    if (job !== 'atlas-restore') problems.push(`job label from "${serviceMonitor.spec.jobLabel}" would be ${JSON.stringify(job)}, not "atlas-restore"`);
    return problems;
  }

  it('ships a ServiceMonitor that selects the bot\'s Service on its http port, path /metrics, job "atlas-restore", without kubectl too', () => {
    expect(monitor).toBeDefined();
    const baseLabels = Object.assign({}, ...((docs.find((d) => relative(MANIFESTS, d.file) === 'base/kustomization.yaml')!.value as Obj).labels as Obj[]).map((l) => l.pairs));
    const withBaseLabels = structuredClone(find('Service', 'atlas-restore'));
    withBaseLabels.metadata.labels = { ...baseLabels, ...withBaseLabels.metadata.labels };
    expect(scrapeProblems([withBaseLabels, find('Service', 'atlas-restore-redis')], monitor)).toEqual([]);
  });

  it('reports a ServiceMonitor that would scrape the wrong thing (the check can fail)', () => {
    const wrong = structuredClone(monitor);
    wrong.spec.selector.matchLabels = { 'app.kubernetes.io/name': 'atlas-restore' };
    wrong.spec.endpoints = [{ port: 'metrics', path: '/metric' }];
    wrong.spec.jobLabel = 'app.kubernetes.io/component';
    const bot = structuredClone(find('Service', 'atlas-restore'));
    bot.metadata.labels = { ...bot.metadata.labels, 'app.kubernetes.io/name': 'atlas-restore' };
    expect(scrapeProblems([bot, find('Service', 'atlas-restore-redis')], wrong)).toEqual([
      'selects ["atlas-restore","atlas-restore-redis"], not the bot\'s Service alone',
      'endpoint port "metrics" is not a port name of the Service',
      'endpoint path /metric is not /metrics',
      'job label from "app.kubernetes.io/component" would be "bot", not "atlas-restore"',
    ]);
    const misspelt = structuredClone(monitor);
    misspelt.spec.selector = { matchLabel: misspelt.spec.selector.matchLabels };
    expect(validationProblems([misspelt], (o) => String(o.kind))).toEqual([expect.stringMatching(/ServiceMonitor: .*must NOT have additional properties \(matchLabel\)/)]);
  });

  it.skipIf(!kubectl)('added to the production overlay, renders into valid objects that scrape the bot in its namespace', () => {
    const copy = mkdtempSync(join(tmpdir(), 'manifests-'));
    try {
      cpSync(MANIFESTS, copy, { recursive: true });
      const kustomization = join(copy, 'overlays/production/kustomization.yaml');
      writeFileSync(kustomization, readFileSync(kustomization, 'utf8').replace('components:\n', 'components:\n  - ../../components/prometheus\n'));
      const out = execFileSync('kubectl', ['kustomize', join(copy, 'overlays', 'production')], { encoding: 'utf8', timeout: 30_000 });
      const rendered = parseAllDocuments(out).map((d) => d.toJS() as Obj);
      expect(validationProblems(rendered, (o) => `production + prometheus: ${o.kind}/${o.metadata?.name}`)).toEqual([]);
      const monitors = rendered.filter((o) => o.kind === 'ServiceMonitor');
      expect(monitors).toHaveLength(1);
      expect(monitors[0]!.metadata.namespace).toBe('atlas-restore');
      // The alerts go with the scrape (components/prometheus/prometheusrule.yaml), in the same namespace.
      expect(rendered.filter((o) => o.kind === 'PrometheusRule').map((o) => `${o.metadata.namespace}/${o.metadata.name}`)).toEqual(['atlas-restore/atlas-restore']);
      const services = rendered.filter((o) => o.kind === 'Service');
      expect(services.every((svc) => svc.metadata.namespace === 'atlas-restore')).toBe(true);
      expect(scrapeProblems(services, monitors[0]!)).toEqual([]);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });
});
