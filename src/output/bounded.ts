/**
 * File operations over a whole tree run with bounded concurrency: an unbounded Promise.all over tens of
 * thousands of files runs out of file descriptors (EMFILE), and past a few dozen operations in flight
 * the disk gains nothing.
 */
import pLimit from 'p-limit';

export const FILE_CONCURRENCY = 64;

/** `fn` over every item, at most FILE_CONCURRENCY at a time, results in item order. */
export function mapBounded<T, R>(items: readonly T[], fn: (item: T) => Promise<R>): Promise<R[]> {
  const limit = pLimit(FILE_CONCURRENCY);
  return Promise.all(items.map((item) => limit(() => fn(item))));
}
