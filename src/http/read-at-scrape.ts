// A value read from Redis when Prometheus scrapes: one read shared by every gauge collected in the same scrape, and
// never more than `timeoutMs` of it (a hanging Redis must not fail the whole scrape). Undefined when the source is not
// set, failed or took too long: the gauges then keep their last values.
export function readAtScrape<T>(source: () => (() => Promise<T>) | undefined, timeoutMs: number): () => Promise<T | undefined> {
  let reading: Promise<T | undefined> | undefined;
  const readOnce = async (): Promise<T | undefined> => {
    const read = source();
    if (!read) return undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), timeoutMs)));
    try {
      // Promise.resolve().then(): a source that throws synchronously is handled like a rejection.
      return await Promise.race([Promise.resolve().then(read), timeout]);
    } catch {
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  };
  return () => (reading ??= readOnce().finally(() => (reading = undefined)));
}
