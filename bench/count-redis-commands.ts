// What the bot sends to Redis, counted at ioredis's one door for commands (pipelines call it too, with a shared
// stream), and the difference of two INFO commandstats readings.
import { Redis } from 'ioredis';

export interface CommandCounter {
  /** Commands this process sent (every ioredis connection, pipelined ones included). */
  commands: number;
  /** Writes to Redis: a pipeline (or MULTI) counts once, as its commands travel together. */
  roundTrips: number;
  restore(): void;
}

export function countRedisCommands(): CommandCounter {
  const proto = Redis.prototype as unknown as { sendCommand: (...args: unknown[]) => unknown };
  const original = proto.sendCommand;
  const pipelines = new WeakSet<object>();
  const counter: CommandCounter = {
    commands: 0,
    roundTrips: 0,
    restore: () => {
      proto.sendCommand = original;
    },
  };
  proto.sendCommand = function countedSendCommand(this: unknown, ...args: unknown[]) {
    counter.commands += 1;
    const stream = args[1] as { isPipeline?: boolean } | undefined;
    if (stream?.isPipeline) {
      if (!pipelines.has(stream)) {
        pipelines.add(stream);
        counter.roundTrips += 1;
      }
    } else counter.roundTrips += 1;
    return original.apply(this, args);
  };
  return counter;
}

/** Calls per command between two readings; commands not called in between are left out. */
export function diffStats(before: Map<string, number>, after: Map<string, number>): Map<string, number> {
  const delta = new Map<string, number>();
  for (const [name, calls] of after) {
    const d = calls - (before.get(name) ?? 0);
    if (d > 0) delta.set(name, d);
  }
  return delta;
}
