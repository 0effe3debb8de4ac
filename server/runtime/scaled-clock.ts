/**
 * The local runtime's Clock: wall time, optionally running N× faster from the moment the process started
 * (`--time-scale N`, for demos: at 60, a 15-minute SLA budget passes in 15 seconds).
 *
 * Invariants: at scale 1 it is the wall clock; time never goes backwards while the wall clock does not;
 * the scaled clock starts at the real time of process start, so stored times stay plausible.
 */
import type { Clock } from "../../core/ports/clock";

export class ScaledClock implements Clock {
  private readonly startMs: number;

  constructor(
    readonly scale = 1,
    private readonly wallMs: () => number = Date.now,
  ) {
    if (!Number.isFinite(scale) || scale <= 0) throw new RangeError(`time scale must be > 0, got ${scale}`);
    this.startMs = wallMs();
  }

  nowMs(): number {
    if (this.scale === 1) return this.wallMs();
    return Math.floor(this.startMs + (this.wallMs() - this.startMs) * this.scale);
  }

  now(): string {
    return new Date(this.nowMs()).toISOString();
  }

  /** How long, in real milliseconds, `scaledMs` of service time takes. */
  realMs(scaledMs: number): number {
    return scaledMs / this.scale;
  }
}
