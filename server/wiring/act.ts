/**
 * A responder action applied the way every local channel (dashboard, Slack) must apply it: as one
 * scheduler turn — never inside the inbox worker's open group transaction — then the dispatcher is woken
 * so the commands it caused go out at once. The JSON API does the same in server/http/api.ts.
 */
import { act, type ResponderAction } from "../../app/act";
import type { AdvanceOutcome } from "../../app/advance";
import type { Runtime } from "../runtime/runtime";

export type ActNow = (incidentId: string, action: ResponderAction, actor: string) => Promise<AdvanceOutcome>;

export function scheduledAct(rt: Runtime): ActNow {
  return async (incidentId, action, actor) => {
    const outcome = await rt.scheduler.exclusive(() => act(rt.deps, incidentId, action, actor));
    if (outcome.status === "changed") rt.scheduler.wake("dispatcher");
    return outcome;
  };
}
