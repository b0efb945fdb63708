/** The small caches the operators keep: a bounded LRU map and a last-few-strings memo. */
/** A Map that forgets its least recently used entry beyond `limit` entries. */
export class BoundedCache<K, V> {
  private readonly entries = new Map<K, V>();

  constructor(private readonly limit: number) {}

  get(key: K): V | undefined {
    const value = this.entries.get(key);
    if (value !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, value);
    }
    return value;
  }

  set(key: K, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.limit) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
  }
}

/**
 * Remembers the result of a string transform for the last few inputs. One evaluation tests
 * the same complaint text against dozens of conditions, so a handful of slots is enough and
 * a miss costs at most `size` string comparisons.
 */
export class RecentStrings {
  private readonly inputs: (string | undefined)[];
  private readonly outputs: string[];
  private next = 0;

  constructor(
    size: number,
    private readonly transform: (input: string) => string,
  ) {
    this.inputs = new Array<string | undefined>(size).fill(undefined);
    this.outputs = new Array<string>(size).fill('');
  }

  get(input: string): string {
    for (let i = 0; i < this.inputs.length; i += 1) {
      if (this.inputs[i] === input) return this.outputs[i] ?? this.transform(input);
    }
    const output = this.transform(input);
    this.inputs[this.next] = input;
    this.outputs[this.next] = output;
    this.next = (this.next + 1) % this.inputs.length;
    return output;
  }
}
