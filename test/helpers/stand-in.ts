// An object that stands for one made later (in a beforeAll): every property read goes to it once it exists, and its
// methods keep it as `this`. Reading it before then is a test mistake, said as such.
export function standIn<T extends object>(current: () => T | undefined, what: string): T {
  return new Proxy({} as T, {
    get(_target, prop) {
      const value = current();
      if (!value) throw new Error(`${what} is used before beforeAll made it`);
      const field: unknown = Reflect.get(value, prop);
      return typeof field === 'function' ? (field as (...args: unknown[]) => unknown).bind(value) : field;
    },
  });
}
