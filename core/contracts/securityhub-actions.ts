/**
 * The Security Hub custom actions the service installs: a person selects findings in the console and
 * chooses one, and Security Hub sends a "Security Hub Findings - Custom Action" event whose
 * `detail.actionName` is the name below and whose `resources[0]` is the action's ARN, ending in
 * `action/custom/<id>`. Ids and names are Security Hub's limits: id ≤ 20 alphanumerics, name ≤ 20
 * characters, description ≤ 600.
 */
export const SECURITY_HUB_ACTIONS = {
  openIncident: {
    id: "IrOpenIncident",
    name: "Open incident",
    description:
      "Open an incident for the selected findings (or add them to the open incident for the same resource), whatever their severity.",
  },
  isolateInstance: {
    id: "IrIsolateInstance",
    name: "Isolate instance",
    description:
      "Open or join the incident for the selected findings and ask for approval to isolate their EC2 instance (containment policy applies).",
  },
} as const;

export type SecurityHubAction = keyof typeof SECURITY_HUB_ACTIONS;

/** Which action a custom-action event carries, from the ARN or the name; undefined when neither is ours. */
export function securityHubActionOf(
  actionArn: string | undefined,
  actionName: string | undefined,
): SecurityHubAction | undefined {
  for (const [key, action] of Object.entries(SECURITY_HUB_ACTIONS) as [
    SecurityHubAction,
    (typeof SECURITY_HUB_ACTIONS)[SecurityHubAction],
  ][]) {
    if (actionArn?.endsWith(`:action/custom/${action.id}`) || actionName === action.name) return key;
  }
  return undefined;
}
