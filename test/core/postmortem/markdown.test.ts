import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatDuration, formatTime, inline, table } from "../../../core/postmortem/markdown";

describe("inline", () => {
  it.each([
    ["<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)&gt;"],
    ["Tom & Jerry", "Tom &amp; Jerry"],
    ["[x](javascript:alert(1))", "\\[x\\](javascript:alert(1))"],
    ["![img](http://x/y.png)", "!\\[img\\](http://x/y.png)"],
    ["a | b", "a \\| b"],
    ["line one\n\n# heading\n- item", "line one # heading - item"],
    ["`code` *em* ~strike~ back\\slash", "\\`code\\` \\*em\\* \\~strike\\~ back\\\\slash"],
    // Underscores inside words cannot emphasise; at word edges they could.
    ["U_ALICE and _em_", "U_ALICE and \\_em\\_"],
  ])("%j → %j", (input, expected) => {
    expect(inline(input)).toBe(expected);
  });

  it("cuts long text visibly", () => {
    expect(inline("abcdefghij", 5)).toBe("abcd…");
  });

  it("never lets a tag, a line break or an unescaped pipe through", () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const out = inline(text, 10_000);
        expect(out).not.toMatch(/[<>\n\r]/);
        expect(out.replace(/\\\\/g, "").replace(/\\\|/g, "")).not.toContain("|");
      }),
    );
  });
});

describe("table", () => {
  it("writes a header, a separator and the rows", () => {
    expect(table(["A", "B"], [["1", ""]])).toBe("| A | B |\n| --- | --- |\n| 1 |   |");
  });
});

describe("formatDuration / formatTime", () => {
  it.each([
    [0, "0s"],
    [45, "45s"],
    [300, "5m"],
    [330, "5m 30s"],
    [3600, "1h 00m"],
    [4200, "1h 10m"],
    [90_000, "1d 1h"],
    [-120, "-2m"],
  ])("%d s reads %s", (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });

  it("shows instants in UTC without milliseconds, and unreadable times escaped as given", () => {
    expect(formatTime("2024-05-01T10:05:00.000Z")).toBe("2024-05-01 10:05:00Z");
    expect(formatTime("2024-05-01T12:05:00+02:00")).toBe("2024-05-01 10:05:00Z");
    expect(formatTime("<b>soon</b>")).toBe("&lt;b&gt;soon&lt;/b&gt;");
  });
});
