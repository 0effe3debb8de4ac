import { describe, expect, it } from "vitest";
import { ACTIVE_PHASES, RUNBOOK_SECTION } from "../../../core/incident/phases";
import { runbookUrl } from "../../../core/runbooks/runbook-url";

describe("runbookUrl", () => {
  it("links the section anchor under <base>/runbooks/<id>.md", () => {
    expect(runbookUrl("https://github.com/acme/ir/blob/main", "ec2-compromise", "Contain")).toBe(
      "https://github.com/acme/ir/blob/main/runbooks/ec2-compromise.md#contain",
    );
  });

  it("gives the same link for a phase name and its RUNBOOK_SECTION name", () => {
    for (const phase of ACTIVE_PHASES)
      expect(runbookUrl("https://x.example", "generic", phase)).toBe(
        runbookUrl("https://x.example", "generic", RUNBOOK_SECTION[phase]),
      );
  });

  it("drops trailing slashes from the base and is relative without one", () => {
    expect(runbookUrl("http://127.0.0.1:3000///", "malware", "Detect")).toBe(
      "http://127.0.0.1:3000/runbooks/malware.md#detect",
    );
    expect(runbookUrl("", "malware", "Postmortem")).toBe("runbooks/malware.md#postmortem");
  });

  it("encodes an id that is not a plain slug, so it cannot change the path", () => {
    expect(runbookUrl("https://x.example", "../secrets?x=1", "Detect")).toBe(
      "https://x.example/runbooks/..%2Fsecrets%3Fx%3D1.md#detect",
    );
  });
});
