// Lua for the marker that says Redis still holds what the bot wrote (store-state-marker.ts).
import { defineScript } from './run-script.js';

/**
 * The readiness probe's write, and the marker read in the same round trip. KEYS: probe, marker. ARGV: a new marker
 * value, the probe's TTL in ms. Returns {0, marker} when the marker was there, {1, marker} when this call wrote it.
 */
export const PROBE_AND_MARK = defineScript(
  'probeAndMark',
  `
redis.call('SET', KEYS[1], '1', 'PX', ARGV[2])
local held = redis.call('GET', KEYS[2])
if held then return {0, held} end
redis.call('SET', KEYS[2], ARGV[1])
return {1, ARGV[1]}
`,
);
