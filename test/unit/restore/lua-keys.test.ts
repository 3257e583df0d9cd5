// Every key a Lua script of ours touches must come from KEYS. Redis requires it, and on a Cluster while the slot is
// being moved a key the script built itself fails the script half-way, after its earlier writes landed. This reads
// every source file under src/ and checks each redis.call's key arguments; a command not in the table below fails the
// test until someone decides where its keys are.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(import.meta.dirname, '../../../src');

/** Where each command's keys are: the first argument, or every argument. */
const KEY_ARGS: Record<string, 'first' | 'all'> = {
  DEL: 'all',
  EXISTS: 'all',
  EXPIRE: 'first',
  GET: 'first',
  HDEL: 'first',
  HEXISTS: 'first',
  HGET: 'first',
  HGETALL: 'first',
  HMGET: 'first',
  HSET: 'first',
  LPUSH: 'first',
  LRANGE: 'first',
  LTRIM: 'first',
  PERSIST: 'first',
  SADD: 'first',
  SET: 'first',
  SREM: 'first',
  XADD: 'first',
  ZADD: 'first',
  ZREMRANGEBYSCORE: 'first',
};
/** A key argument as Redis allows it: one of the declared KEYS (by number or by a loop variable over them). */
const DECLARED = /^KEYS\[(\d+|[A-Za-z_]\w*)\]$/;

/** The top-level, comma-separated arguments of the call whose '(' is at `open`, skipping nested brackets and strings. */
function argumentsAt(text: string, open: number): string[] {
  const args: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let start = open + 1;
  for (let i = open; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = null;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') {
      depth--;
      if (depth === 0) {
        args.push(text.slice(start, i).trim());
        return args;
      }
    } else if (c === ',' && depth === 1) {
      args.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  throw new Error(`unclosed call at offset ${open}`);
}

interface Call {
  where: string;
  source: string;
}

/** One message per call whose command is unknown or whose key arguments are not KEYS entries. */
function undeclaredKeys(calls: readonly Call[]): string[] {
  const problems: string[] = [];
  for (const { where, source } of calls) {
    const open = source.indexOf('(');
    const [command, ...rest] = argumentsAt(source, open);
    const name = /^'([A-Za-z]+)'$|^"([A-Za-z]+)"$/.exec(command ?? '');
    const upper = (name?.[1] ?? name?.[2])?.toUpperCase();
    if (!upper) {
      problems.push(`${where}: the command is not a literal name, so its keys cannot be checked: ${source}`);
      continue;
    }
    const position = KEY_ARGS[upper];
    if (!position) {
      problems.push(`${where}: ${upper} is not in KEY_ARGS; add where its keys are: ${source}`);
      continue;
    }
    const keys = position === 'all' ? rest : rest.slice(0, 1);
    for (const key of keys) if (!DECLARED.test(key)) problems.push(`${where}: ${upper} on ${key}, not a KEYS entry: ${source}`);
  }
  return problems;
}

/** redis.call and redis.pcall, and server.call / server.pcall, Valkey's names for them. */
const CALL = /\b(?:redis|server)\.p?call\s*\(/g;

function callsIn(text: string, file: string): Call[] {
  const calls: Call[] = [];
  for (const match of text.matchAll(CALL)) {
    const open = match.index + match[0].length - 1;
    const args = argumentsAt(text, open);
    const line = text.slice(0, match.index).split('\n').length;
    calls.push({ where: `${file}:${line}`, source: `${match[0]}${args.join(', ')})` });
  }
  return calls;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

describe('Lua scripts touch only declared keys', () => {
  const calls = sourceFiles(SRC).flatMap((path) => callsIn(readFileSync(path, 'utf8'), relative(SRC, path)));

  it('finds the scripts it is meant to check', () => {
    const files = new Set(calls.map((c) => c.where.replace(/:\d+$/, '')));
    for (const file of ['restore/lua/request-scripts.ts', 'restore/lua/lock-scripts.ts', 'restore/store-audit.ts', 'restore/tracker-marks.ts', 'slack/card-refresher.ts']) {
      expect(files).toContain(file);
    }
    expect(calls.length).toBeGreaterThan(40);
  });

  it('every redis.call in src/ names its keys as KEYS[n]', () => {
    expect(undeclaredKeys(calls)).toEqual([]);
  });

  it('flags a key built from ARGV or from a value read inside the script, and a command it does not know', () => {
    const bad = [
      "redis.call('SET', ARGV[6], ARGV[1])",
      "redis.call('EXPIRE', ARGV[7] .. jobId, ARGV[5])",
      "redis.call('DEL', KEYS[1], 'other')",
      "redis.call('RENAME', KEYS[1], KEYS[2])",
      'redis.call(command, KEYS[1])',
    ].map((source, i) => ({ where: `sample:${i}`, source }));
    const problems = undeclaredKeys(bad);
    expect(problems).toHaveLength(bad.length);
    expect(undeclaredKeys([{ where: 'sample', source: "redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])" }])).toEqual([]);
  });
});
