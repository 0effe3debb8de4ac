/**
 * Who may act from Slack (DESIGN §5): the responders in configuration, named by Slack user id and/or by
 * user-group id. Group membership is asked of an injected function, so this module makes no Slack call and
 * the runtime decides how membership is fetched and cached.
 *
 * Fails closed: an empty list authorizes nobody, and a membership lookup that throws counts as "not a
 * member" (a Slack outage must not open the door).
 */

export interface SlackResponders {
  /** Slack user ids (`U…`/`W…`) allowed to act. */
  userIds: readonly string[];
  /** Slack user-group ids (`S…`) whose members may act. */
  groupIds: readonly string[];
}

export type IsMemberOfGroup = (userId: string, groupId: string) => Promise<boolean>;

export async function isResponder(
  userId: string,
  responders: SlackResponders,
  isMemberOfGroup: IsMemberOfGroup,
): Promise<boolean> {
  if (userId === "") return false;
  if (responders.userIds.includes(userId)) return true;
  // One group at a time: most responders are in the first group, and each lookup may be a Slack call.
  for (const groupId of responders.groupIds) {
    if (await isMemberOfGroup(userId, groupId).catch(() => false)) return true;
  }
  return false;
}
