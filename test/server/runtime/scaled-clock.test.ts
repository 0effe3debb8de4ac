/**
 * The scaled clock: N× faster from its start, wall time at scale 1, refusing scales that make no sense.
 */
import { describe, expect, it } from "vitest";
import { ScaledClock } from "../../../server/runtime/scaled-clock";

describe("ScaledClock", () => {
  const START = Date.parse("2024-05-01T10:00:00.000Z");

  it("runs N times faster than the wall clock from the moment it was made", () => {
    // Prepare
    let wall = START;
    const clock = new ScaledClock(60, () => wall);
    // Act
    wall += 15_000; // 15 real seconds
    // Assess
    expect(clock.now()).toBe("2024-05-01T10:15:00.000Z");
    expect(clock.realMs(15 * 60_000)).toBe(15_000);
  });

  it("is the wall clock at scale 1", () => {
    // Prepare
    let wall = START;
    const clock = new ScaledClock(1, () => wall);
    // Act
    wall += 1234;
    // Assess
    expect(clock.nowMs()).toBe(START + 1234);
  });

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY])("refuses scale %s", (scale) => {
    expect(() => new ScaledClock(scale)).toThrow(RangeError);
  });
});
