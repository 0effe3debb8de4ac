/**
 * Benchmark plumbing: timing loops and the one-line BENCH format (DESIGN §6), so runs can be compared:
 * `BENCH <name> ratio=<measured/baseline> target=<op><value> <details with absolute numbers>`.
 */
import { performance } from "node:perf_hooks";

export interface Throughput {
  opsPerSecond: number;
  iterations: number;
  seconds: number;
}

/** Runs `fn` repeatedly for about `seconds` (after a warm-up) and reports operations per second. */
export function measureThroughput(fn: () => void, seconds = 1.5, opsPerCall = 1): Throughput {
  const warmUntil = performance.now() + 300;
  while (performance.now() < warmUntil) fn();
  let iterations = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  while (performance.now() < end) {
    fn();
    iterations++;
  }
  const elapsed = (performance.now() - start) / 1000;
  return { opsPerSecond: (iterations * opsPerCall) / elapsed, iterations, seconds: elapsed };
}

/**
 * Baseline and measured throughput compared fairly on a shared, noisy machine: short slices of each,
 * alternated over many rounds, keeping each side's best slice (noise only ever slows a slice down).
 */
export function compareThroughput(
  baseline: () => void,
  measured: () => void,
  opsPerCall: number,
  rounds = 40,
  sliceMs = 50,
): { baseline: number; measured: number } {
  const slice = (fn: () => void): number => {
    let calls = 0;
    const start = performance.now();
    while (performance.now() - start < sliceMs) {
      fn();
      calls++;
    }
    return (calls * opsPerCall * 1000) / (performance.now() - start);
  };
  for (let i = 0; i < 5; i++) {
    // warm-up
    slice(baseline);
    slice(measured);
  }
  let best = { baseline: 0, measured: 0 };
  for (let round = 0; round < rounds; round++) {
    best = {
      baseline: Math.max(best.baseline, slice(baseline)),
      measured: Math.max(best.measured, slice(measured)),
    };
  }
  return best;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export interface BenchLine {
  name: string;
  ratio: number;
  target: string;
  details: Record<string, string | number>;
}

export function formatBench({ name, ratio, target, details }: BenchLine): string {
  const rest = Object.entries(details)
    .map(([k, v]) => `${k}=${typeof v === "number" ? round(v) : v}`)
    .join(" ");
  return `BENCH ${name} ratio=${round(ratio, 3)} target=${target} ${rest}`;
}

const round = (n: number, digits = 2): string =>
  Number.isInteger(n) ? String(n) : n.toFixed(Math.abs(n) >= 100 ? 0 : digits);
