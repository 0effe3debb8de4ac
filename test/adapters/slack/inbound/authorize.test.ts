import { describe, expect, it } from "vitest";
import { isResponder, type SlackResponders } from "../../../../adapters/slack/inbound/authorize";

const RESPONDERS: SlackResponders = { userIds: ["U_ALICE"], groupIds: ["S_ONCALL", "S_SECOPS"] };

function membership(members: Record<string, string[]>) {
  const lookups: Array<[string, string]> = [];
  const isMemberOfGroup = async (userId: string, groupId: string) => {
    lookups.push([userId, groupId]);
    return (members[groupId] ?? []).includes(userId);
  };
  return { lookups, isMemberOfGroup };
}

describe("isResponder", () => {
  it("authorizes a listed user without asking about groups", async () => {
    // Prepare
    const groups = membership({});
    // Act
    const allowed = await isResponder("U_ALICE", RESPONDERS, groups.isMemberOfGroup);
    // Assess
    expect(allowed).toBe(true);
    expect(groups.lookups).toEqual([]);
  });

  it("authorizes a member of any listed group, asking group by group until one says yes", async () => {
    // Prepare
    const groups = membership({ S_SECOPS: ["U_CAROL"] });
    // Act
    const allowed = await isResponder("U_CAROL", RESPONDERS, groups.isMemberOfGroup);
    // Assess
    expect(allowed).toBe(true);
    expect(groups.lookups).toEqual([
      ["U_CAROL", "S_ONCALL"],
      ["U_CAROL", "S_SECOPS"],
    ]);
  });

  it("refuses anyone else, including members of unlisted groups", async () => {
    const groups = membership({ S_MARKETING: ["U_MALLORY"] });
    expect(await isResponder("U_MALLORY", RESPONDERS, groups.isMemberOfGroup)).toBe(false);
    expect(await isResponder("", RESPONDERS, groups.isMemberOfGroup)).toBe(false);
  });

  it("fails closed: an empty list authorizes nobody and a failing lookup counts as not a member", async () => {
    // Prepare
    const failing = async () => {
      throw new Error("slack unavailable");
    };
    // Act / Assess
    expect(await isResponder("U_ALICE", { userIds: [], groupIds: [] }, failing)).toBe(false);
    expect(await isResponder("U_CAROL", RESPONDERS, failing)).toBe(false);
  });
});
