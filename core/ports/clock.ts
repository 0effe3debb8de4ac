/**
 * Clock: the only way use-cases learn the time (core/ and workflows/ never read one). Tests pass a
 * settable clock; the runtimes pass the wall clock, optionally scaled for demos.
 */
export interface Clock {
  /** Now, as ISO-8601 UTC. */
  now(): string;
}
