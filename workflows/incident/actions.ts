/**
 * The machine's actions. Two kinds, kept apart on purpose:
 * - named command stubs (one per command type) and `recordTimeline`: empty implementations whose params
 *   carry the data; `step()` turns them into outbox commands and timeline entries. Nothing here runs I/O.
 * - decision actions: each runs one pure decision (./*-decisions.ts) and enqueues its context change
 *   (`assign`), its commands and its timeline entries, in that order.
 */
import { enqueueActions } from "xstate";
import { COMMAND_TYPES, type CommandParams, type CommandType } from "../../core/incident/commands";
import type { IncidentEvent } from "../../core/incident/events";
import type { TimelineEntry } from "../../core/ports/incident-store";
import type { IncidentContext } from "./context";
import type { Decision, Policies } from "./decision";

export const TIMELINE_ACTION = "recordTimeline";

type StubParams = { [T in CommandType]: CommandParams<T> } & { [TIMELINE_ACTION]: TimelineEntry };
type Stub<P> = (args: unknown, params: P) => void;

/** The named stubs: xstate needs an implementation per name; the work happens in the outbox. */
export const stubs = Object.fromEntries(
  [...COMMAND_TYPES, TIMELINE_ACTION].map((name) => [name, () => {}]),
) as unknown as { [K in keyof StubParams]: Stub<StubParams[K]> };

export type StubAction = { [K in keyof StubParams]: { type: K; params: StubParams[K] } }[keyof StubParams];

/** Wraps a pure decision as an xstate action that enqueues assign + named stubs. */
export const decisionAction = <P = undefined>(
  policies: Policies,
  decide: (context: IncidentContext, event: IncidentEvent, policies: Policies, params: P) => Decision,
) =>
  enqueueActions<IncidentContext, IncidentEvent, P, IncidentEvent, never, StubAction, never, never, never>(
    ({ context, event, enqueue }, params) => {
      const decision = decide(context, event, policies, params);
      enqueue.assign(() => decision.context);
      for (const command of decision.commands)
        enqueue({ type: command.type, params: command.params } as StubAction);
      for (const entry of decision.timeline) enqueue({ type: TIMELINE_ACTION, params: entry });
    },
  );
