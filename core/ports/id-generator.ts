/**
 * IdGenerator: new incident ids come through a port so use-cases stay deterministic under test.
 */
export interface IdGenerator {
  /** A new, unique incident id; `at` lets ids sort by opening time (e.g. `IR-20240501-…`). */
  incidentId(at: string): string;
}
