import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InputError, MAX_EVENT_BYTES } from "../../../core/errors";
import { splitInput } from "../../../core/input/split-input";
import { fixtureText } from "../../support/fixtures";

const GD =
  "guardduty/eventbridge-recon-ec2-portprobe-ssh-real-pldt-scanner-masked-ids-via-sns-aws-to-slack.json";

describe("splitInput", () => {
  it("reads one document as one item at $", () => {
    const items = splitInput(fixtureText(GD));
    expect(items).toHaveLength(1);
    expect(items[0]!.at).toBe("$");
    expect((items[0]!.doc as { "detail-type": string })["detail-type"]).toBe("GuardDuty Finding");
  });

  it("reads a JSON array as one item per element, each located", () => {
    const one = JSON.parse(fixtureText(GD));
    const items = splitInput(JSON.stringify([one, { ...one, id: "second" }]));
    expect(items.map((i) => i.at)).toEqual(["$[0]", "$[1]"]);
    expect((items[1]!.doc as { id: string }).id).toBe("second");
  });

  it("reads JSON lines, skipping blank lines, and locates errors by line", () => {
    const text = `{"a":1}\n\n{"b":2}\n{oops\n`;
    const items = splitInput(text);
    expect(items.map((i) => i.at)).toEqual(["line 1", "line 3", "line 4"]);
    expect(items[2]!.error?.code).toBe("invalid_json");
    expect(items[2]!.error?.message).toContain("line 4");
  });

  it("refuses empty input and empty arrays with a typed error", () => {
    expect(splitInput("  \n").map((i) => i.error?.code)).toEqual(["empty"]);
    expect(splitInput("[]").map((i) => i.error?.code)).toEqual(["empty"]);
  });

  it("refuses a single unparseable document as invalid_json at $", () => {
    const [item] = splitInput('{"detail-type": "GuardDuty Finding",');
    expect(item!.error).toBeInstanceOf(InputError);
    expect(item!.error?.toJSON()).toMatchObject({ code: "invalid_json", path: "$" });
  });

  it("refuses an event over 256 KB, counting UTF-8 bytes, but accepts one just under", () => {
    const envelope = (padding: string) =>
      JSON.stringify({ "detail-type": "Security Event", detail: { metadata: { padding } } });
    const overhead = Buffer.byteLength(envelope(""));
    const fits = envelope("a".repeat(MAX_EVENT_BYTES - overhead));
    expect(Buffer.byteLength(fits)).toBe(MAX_EVENT_BYTES);
    expect(splitInput(fits)[0]!.error).toBeUndefined();
    // "é" is one UTF-16 unit but two UTF-8 bytes: the limit is on bytes.
    const tooBig = envelope("é".repeat((MAX_EVENT_BYTES - overhead) / 2 + 1));
    expect(splitInput(tooBig)[0]!.error?.code).toBe("too_large");
  });

  it("refuses an oversize element of an array but keeps the others", () => {
    const big = { "detail-type": "x", detail: { p: "a".repeat(MAX_EVENT_BYTES) } };
    const items = splitInput(JSON.stringify([{ "detail-type": "x", detail: {} }, big]));
    expect(items.map((i) => i.error?.code)).toEqual([undefined, "too_large"]);
    expect(items[1]!.error?.path).toBe("$[1]");
  });

  it("reads a CloudTrail log file larger than 256 KB as a container, not one event", () => {
    const record = JSON.parse(fixtureText("cloudtrail/raw-kms-schedulekeydeletion-awsdocs.json"));
    const file = JSON.stringify({ Records: Array.from({ length: 400 }, () => record) });
    expect(Buffer.byteLength(file)).toBeGreaterThan(MAX_EVENT_BYTES);
    const items = splitInput(file);
    expect(items).toHaveLength(1);
    expect(items[0]!.error).toBeUndefined();
  });

  it("never throws, and every item is either a document or a typed error (property)", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.json(),
          fc.array(fc.json()).map((a) => a.join("\n")),
        ),
        (text) => {
          const items = splitInput(text);
          expect(items.length).toBeGreaterThan(0);
          for (const item of items) {
            if (item.error) expect(item.error).toBeInstanceOf(InputError);
            else expect(item.doc).not.toBeUndefined();
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it("round-trips any JSON value array element by element (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.jsonValue(), { minLength: 1, maxLength: 8 }), (values) => {
        const items = splitInput(JSON.stringify(values));
        expect(items.map((i) => i.doc)).toEqual(values.map((v) => JSON.parse(JSON.stringify(v))));
      }),
    );
  });
});
