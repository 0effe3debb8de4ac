/**
 * One pure transition of the incident machine: the next snapshot and the actions it asks for, none run.
 *
 * This is what xstate's `transition(logic, snapshot, event)` does — call the logic's own
 * `transition(snapshot, event, actorScope)` with an inert scope whose action executor only collects —
 * except that xstate builds a throwaway actor (and with it a whole initial snapshot) for every call, which
 * was over a third of a step. The incident machine invokes and spawns nothing and never reads `self`, so
 * one inert scope per machine serves every call. Calls are synchronous and never nested, so one collector
 * per scope is enough.
 */
import { type AnyActorScope, createActor, type ExecutableActionsFrom } from "xstate";
import type { IncidentEvent } from "../../core/incident/events";
import type { IncidentMachine } from "./incident.machine";

type Snapshot = ReturnType<IncidentMachine["transition"]>;
type Action = ExecutableActionsFrom<IncidentMachine>;

interface InertScope {
  scope: AnyActorScope;
  collected: Action[];
}

const scopes = new WeakMap<IncidentMachine, InertScope>();

function inertScopeOf(machine: IncidentMachine): InertScope {
  let inert = scopes.get(machine);
  if (inert) return inert;
  const self = createActor(machine, { input: { incidentId: "" } });
  const collector: InertScope = {
    collected: [],
    scope: {
      self,
      id: "",
      sessionId: "",
      logger: () => {},
      defer: () => {},
      emit: () => {},
      system: self.system,
      stopChild: () => {},
      actionExecutor: (action) => {
        collector.collected.push(action as Action);
      },
    },
  };
  inert = collector;
  scopes.set(machine, inert);
  return inert;
}

/** The next snapshot and the actions to execute, exactly as xstate's `transition()` returns them. */
export function pureTransition(
  machine: IncidentMachine,
  snapshot: Snapshot,
  event: IncidentEvent,
): [Snapshot, Action[]] {
  const inert = inertScopeOf(machine);
  const collected: Action[] = [];
  inert.collected = collected;
  const next = machine.transition(snapshot, event, inert.scope);
  return [next, collected];
}
