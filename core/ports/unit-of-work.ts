/**
 * UnitOfWork: lets a runtime group many store commits into one durable write (group commit). Each commit
 * inside keeps its own atomicity and version checks; the group is written — or, on a crash, lost —
 * together, which is safe when its input is still queued durably until the group lands (the local inbox).
 * Stores that cannot group (DynamoDB: one TransactWriteItems per commit) run the work as it is.
 */
export interface UnitOfWork {
  run<T>(work: () => Promise<T>): Promise<T>;
}

/** The identity unit of work: every commit is its own durable write. */
export const EACH_COMMIT_ALONE: UnitOfWork = { run: (work) => work() };
