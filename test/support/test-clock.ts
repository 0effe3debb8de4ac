/**
 * A clock tests set and move by hand (the Clock port), so SLA scenarios read like a timeline.
 */
import type { Clock } from "../../core/ports/clock";

export class TestClock implements Clock {
  private ms: number;
  constructor(start: string) {
    this.ms = Date.parse(start);
  }
  now(): string {
    return new Date(this.ms).toISOString();
  }
  /** Moves to T0 + minutes, where T0 is the given start. */
  at(start: string, minutes: number): this {
    this.ms = Date.parse(start) + minutes * 60_000;
    return this;
  }
  advance(minutes: number): this {
    this.ms += minutes * 60_000;
    return this;
  }
}

export const sequentialIds = (prefix = "IR") => {
  let n = 0;
  return { incidentId: () => `${prefix}-${String(++n).padStart(4, "0")}` };
};
