/**
 * A storm of findings on one resource must not become a storm of chat messages: the thread hears about the
 * first joins one by one, then only at 10, 100, 1 000 findings.
 */
import { describe, expect, it } from "vitest";
import { JOIN_REPLIES_IN_FULL } from "../../../workflows/incident/incident-decisions";
import { type StepChanged, step } from "../../../workflows/incident/step";
import { deps, ev, makeFinding } from "../../support/incident-events.factory";

const finding = (n: number) =>
  makeFinding({ identity: `guardduty:111111111111:eu-west-2:f${n}`, title: `finding ${n}` });

describe("finding-joined replies", () => {
  it("replies for the first joins, then only as a digest at powers of ten", () => {
    // Prepare / Act: 120 distinct findings on the same instance, one after another.
    const d = deps();
    let stored = { ...(step(undefined, ev.received(finding(1)), d) as StepChanged) };
    const repliesAt: number[] = [];
    for (let n = 2; n <= 120; n++) {
      const result = step(stored, ev.received(finding(n), n / 100), d) as StepChanged;
      const joinReplies = result.commands.filter(
        (c) => c.type === "postThreadReply" && (c.params as { topic: string }).topic === "finding.joined",
      );
      if (joinReplies.length > 0) repliesAt.push(n);
      stored = result;
    }
    // Assess
    expect(JOIN_REPLIES_IN_FULL).toBe(4);
    expect(repliesAt).toEqual([2, 3, 4, 10, 100]);
  });
});
