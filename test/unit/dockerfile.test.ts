// No Docker engine runs in CI, so the image's contract is checked on the Dockerfile itself; what the runtime stage
// does (production dependencies only, then node dist/main.js) is exercised by scripts/check-production-install.sh.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

interface Instruction {
  op: string;
  args: string;
}

function parseDockerfile(text: string): { stages: { name: string; from: string; body: Instruction[] }[]; args: Record<string, string> } {
  const lines = text.replace(/\\\n/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const args: Record<string, string> = {};
  const stages: { name: string; from: string; body: Instruction[] }[] = [];
  for (const line of lines) {
    const [op = '', ...rest] = line.split(/\s+/);
    const instruction = { op: op.toUpperCase(), args: rest.join(' ') };
    if (instruction.op === 'ARG' && stages.length === 0) {
      const [k, v] = instruction.args.split('=');
      if (k && v) args[k] = v;
    } else if (instruction.op === 'FROM') {
      const m = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(instruction.args);
      stages.push({ from: m?.[1] ?? '', name: m?.[2] ?? String(stages.length), body: [] });
    } else {
      stages.at(-1)?.body.push(instruction);
    }
  }
  return { stages, args };
}

const dockerfile = parseDockerfile(readFileSync(new URL('../../Dockerfile', import.meta.url), 'utf8'));
const runtime = dockerfile.stages.at(-1)!;
const all = (stage: { body: Instruction[] }, op: string) => stage.body.filter((i) => i.op === op).map((i) => i.args);

describe('Dockerfile', () => {
  it('is multi-stage on a current Node LTS', () => {
    expect(dockerfile.stages.length).toBeGreaterThanOrEqual(2);
    const image = runtime.from.replace(/\$\{(\w+)\}/g, (_, k: string) => dockerfile.args[k] ?? '');
    const major = Number(/^node:(\d+)/.exec(image)?.[1]);
    expect(major % 2).toBe(0); // even majors are the LTS lines
    expect(major).toBeGreaterThanOrEqual(22);
  });

  it('builds with the dev toolchain in another stage', () => {
    const build = dockerfile.stages.find((s) => all(s, 'RUN').some((r) => r.includes('npm run build')));
    expect(build).toBeDefined();
    expect(build).not.toBe(runtime);
  });

  it('runtime holds only production dependencies and dist/', () => {
    const copies = all(runtime, 'COPY');
    const fromStage = (path: string) => copies.find((c) => c.includes(path))?.match(/--from=(\S+)/)?.[1];
    const depsStage = dockerfile.stages.find((s) => s.name === fromStage('node_modules'));
    expect(all(depsStage!, 'RUN').some((r) => /npm ci\b.*--omit=dev/.test(r))).toBe(true);
    expect(copies.some((c) => /\bdist\b/.test(c))).toBe(true);
    expect(copies.some((c) => /\bsrc\b|\btest\b/.test(c))).toBe(false);
  });

  it('runs as a non-root user and starts node directly', () => {
    const user = all(runtime, 'USER').at(-1) ?? '';
    expect(user).not.toMatch(/^(root|0)(:|$)/);
    expect(user).not.toBe('');
    expect(all(runtime, 'CMD').at(-1)).toBe('["node", "dist/main.js"]');
    expect(all(runtime, 'ENTRYPOINT')).toEqual([]);
  });
});
