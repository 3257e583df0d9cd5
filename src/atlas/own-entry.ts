// A table looked up by a string Atlas sent: only the table's own entries count, so an odd value such as `constructor`
// reads as unknown instead of finding what every object inherits.
export function ownEntry<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}
