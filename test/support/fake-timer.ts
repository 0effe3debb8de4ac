/**
 * A Timer (adapters/aws/token-bucket) whose clock only moves when someone sleeps: tests see every wait
 * an adapter makes, and at what time each call went out, without real delays.
 */
import type { Timer } from "../../adapters/aws/token-bucket";

export class FakeTimer implements Timer {
  readonly sleeps: number[] = [];
  constructor(private ms = 0) {}
  now(): number {
    return this.ms;
  }
  async sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    this.ms += ms;
  }
  advance(ms: number): this {
    this.ms += ms;
    return this;
  }
}
