/**
 * The incident statechart (xstate v5): the response plan as states.
 *
 *   awaitingFinding ─finding.received─► open ─postmortem.published─► closed
 *                                        └─false-positive.marked (detect/assess)─► suppressed
 *   open (parallel)
 *     phase:       detect ─ack─► assess ─► contain ─► eradicate ─► recover ─► postmortem
 *     containment: none ─► planned ─► awaitingApproval ─► isolating ─► isolated ─► restoring ─► restored
 *                  (auto goes none ─► isolating; any step may end in failed; approval may end in denied;
 *                  `none` means the policy allows nothing, so a request there is refused with the reason)
 *
 * Invariants:
 * - Pure: no `invoke`, no `after`, no clock. Time arrives on events; clocks are data in context.
 * - Actions that touch the world are named command stubs; context changes only through `assign`
 *   (enqueued by the decision actions). `step()` turns the stubs into outbox commands.
 * - Containment is its own region so it can start while the incident still awaits acknowledgement.
 * - Containment success records a hint to advance (it does not auto-advance from contain to eradicate):
 *   one isolated resource rarely means the whole incident is contained, and the person who judges that
 *   should move the phase.
 * - `closed` and `suppressed` are final: any later event is a no-op. A new finding on the same resource
 *   opens a new incident (the store links it to this one).
 */
import { setup } from "xstate";
import type { ContainmentPolicy } from "../../core/incident/containment-policy";
import type { IncidentEvent } from "../../core/incident/events";
import type { ActivePhase } from "../../core/incident/phases";
import type { SlaPolicy } from "../../core/incident/sla-policy";
import { decisionAction, stubs } from "./actions";
import * as clocks from "./clock-decisions";
import * as containment from "./containment-decisions";
import { type ContainmentStatus, type IncidentContext, type IncidentInput, initialContext } from "./context";
import type { Decision, Policies } from "./decision";
import * as guard from "./guards";
import * as incident from "./incident-decisions";

export const MACHINE_ID = "incident";

const base = setup({
  types: {
    context: {} as IncidentContext,
    events: {} as IncidentEvent,
    input: {} as IncidentInput,
  },
  actions: stubs,
});

const phaseEntry = (phase: ActivePhase) => ({
  entry: [{ type: "enterPhase" as const, params: { phase } }],
  exit: [{ type: "leavePhase" as const, params: { phase } }],
});

const containmentEntry = (status: ContainmentStatus) => ({
  entry: [{ type: "enterContainment" as const, params: { status } }],
});

function buildMachine(policies: Policies) {
  const act = <P = undefined>(
    fn: (context: IncidentContext, event: IncidentEvent, policies: Policies, params: P) => Decision,
  ) => decisionAction<P>(policies, fn);
  const when =
    (fn: (context: IncidentContext, event: IncidentEvent, policies: Policies) => boolean) =>
    ({ context, event }: { context: IncidentContext; event: IncidentEvent }) =>
      fn(context, event, policies);

  // A retry after failure goes the way the policy sent the first attempt: straight to isolation under auto,
  // through a fresh plan otherwise.
  const retryTransitions = [
    { guard: "requestStartsAuto", target: "isolating", actions: "requestContainment" },
    { target: "planned", actions: "requestContainment" },
  ] as const;

  const findingTransitions = [
    { guard: "findingAccepted", actions: "mergeFinding" },
    { guard: "newRecoveryHint", actions: "recordRecoveryHint" },
  ] as const;

  const containmentOnFinding = [
    { guard: "containmentBecomesAuto", target: "isolating", actions: "adoptContainmentDecision" },
    { guard: "containmentBecomesPlanned", target: "planned", actions: "adoptContainmentDecision" },
  ] as const;

  return base
    .extend({
      actions: {
        openIncident: act(incident.openIncident),
        mergeFinding: act(incident.mergeFinding),
        recordRecoveryHint: act(incident.recordRecoveryHint),
        enterPhase: act<{ phase: ActivePhase }>(incident.enterPhase),
        leavePhase: act<{ phase: ActivePhase }>(incident.leavePhase),
        acknowledge: act(incident.acknowledge),
        assignOwner: act(incident.assignOwner),
        addNote: act(incident.addNote),
        escalateNow: act(clocks.escalateNow),
        checkClocks: act(clocks.checkClocks),
        recordCommandResult: act(incident.recordCommandResult),
        recordPostmortem: act(incident.recordPostmortem),
        closeResolved: act(incident.closeResolved),
        closeSuppressed: act(incident.closeSuppressed),
        adoptContainmentDecision: act(containment.adoptContainmentDecision),
        requestContainment: act(containment.requestContainment),
        refuseContainment: act(containment.refuseContainment),
        approveContainment: act(containment.approveContainment),
        denyContainment: act(containment.denyContainment),
        recordPlan: act(containment.recordPlan),
        recordContainmentResult: act(containment.recordContainmentResult),
        recordContainmentFailure: act(containment.recordContainmentFailure),
        refuseRestoration: act(containment.refuseRestoration),
        enterContainment: act<{ status: ContainmentStatus }>(containment.enterContainment),
        startContainment: act(containment.startContainment),
        requestIsolationFollowUp: act(containment.requestIsolationFollowUp),
      },
      guards: {
        opensIncident: when(guard.opensIncident),
        opensWithAutoContainment: when(guard.opensWithAutoContainment),
        opensWithPlannedContainment: when(guard.opensWithPlannedContainment),
        findingAccepted: when(guard.findingAccepted),
        containmentBecomesAuto: when(guard.containmentBecomesAuto),
        containmentBecomesPlanned: when(guard.containmentBecomesPlanned),
        newRecoveryHint: when(guard.newRecoveryHint),
        ownerChanges: when(guard.ownerChanges),
        clocksDue: when(guard.clocksDue),
        newCommandResult: when(guard.newCommandResult),
        planSucceeded: when(guard.planSucceeded),
        planSucceededNeedsApproval: when(guard.planSucceededNeedsApproval),
        planFailed: when(guard.planFailed),
        containmentSucceeded: when(guard.containmentSucceeded),
        containmentSucceededWithFollowUp: when(guard.containmentSucceededWithFollowUp),
        completionSucceeded: when(guard.completionSucceeded),
        containmentFailed: when(guard.containmentFailed),
        restoreSucceeded: when(guard.restoreSucceeded),
        restoreFailed: when(guard.restoreFailed),
        requestStartsAuto: when(guard.requestStartsAuto),
        dryRunOnly: when(guard.dryRunOnly),
        inRecoverPhase: when(guard.inRecoverPhase),
      },
    })
    .createMachine({
      id: MACHINE_ID,
      description: "A security incident following the response plan (runbooks/<category>.md).",
      // xstate's transition() builds a throwaway actor, which computes an initial snapshot without input;
      // without the fallback that threw (and was swallowed) on every step, costing ~8% of an ingest.
      context: ({ input }) => initialContext(input ?? { incidentId: "" }),
      initial: "awaitingFinding",
      states: {
        awaitingFinding: {
          description:
            "Runbook §Detect: no incident yet; the first detection finding opens one (T0 = its receipt).",
          on: {
            "finding.received": [
              {
                guard: "opensWithAutoContainment",
                target: "#incident.open.containment.isolating",
                actions: "openIncident",
              },
              {
                guard: "opensWithPlannedContainment",
                target: "#incident.open.containment.planned",
                actions: "openIncident",
              },
              { guard: "opensIncident", target: "open", actions: "openIncident" },
            ],
          },
        },
        open: {
          type: "parallel",
          description: "Runbook: the incident is open; its phase and its containment progress independently.",
          on: {
            "finding.received": [...findingTransitions],
            "finding.updated": [...findingTransitions],
            "recovery.hinted": { guard: "newRecoveryHint", actions: "recordRecoveryHint" },
            "owner.assigned": { guard: "ownerChanges", actions: "assignOwner" },
            "note.added": { actions: "addNote" },
            "escalation.requested": { actions: "escalateNow" },
            "clock.checked": { guard: "clocksDue", actions: "checkClocks" },
            "command.succeeded": { guard: "newCommandResult", actions: "recordCommandResult" },
            "command.failed": { guard: "newCommandResult", actions: "recordCommandResult" },
          },
          states: {
            phase: {
              description: "Runbook phases, each with its SLA clock.",
              initial: "detect",
              states: {
                detect: {
                  description:
                    "Runbook §Detect: acknowledge within 15 min of detection (T0), take ownership, read the finding.",
                  ...phaseEntry("detect"),
                  on: {
                    "incident.acknowledged": { target: "assess", actions: "acknowledge" },
                    "phase.advanced": { target: "assess", actions: "acknowledge" },
                    "false-positive.marked": { target: "#incident.suppressed" },
                  },
                },
                assess: {
                  description:
                    "Runbook §Assess: confirm and scope by T0+30 min: what, where, since when, how far; or mark false positive.",
                  ...phaseEntry("assess"),
                  on: {
                    "phase.advanced": { target: "contain" },
                    "false-positive.marked": { target: "#incident.suppressed" },
                  },
                },
                contain: {
                  description:
                    "Runbook §Contain: contain by T0+1 h: preserve evidence, isolate instances, lock down groups, disable keys.",
                  ...phaseEntry("contain"),
                  on: { "phase.advanced": { target: "eradicate" } },
                },
                eradicate: {
                  description:
                    "Runbook §Eradicate: remove the cause by T0+4 h: malware, persistence, leaked credentials, bad rules.",
                  ...phaseEntry("eradicate"),
                  on: { "phase.advanced": { target: "recover" } },
                },
                recover: {
                  description:
                    "Runbook §Recover: restore service by T0+8 h: rebuild from known-good, undo containment, watch.",
                  ...phaseEntry("recover"),
                  on: { "phase.advanced": { target: "postmortem" } },
                },
                postmortem: {
                  description: "Runbook §Postmortem: publish the postmortem within 48 h of recovery.",
                  ...phaseEntry("postmortem"),
                  on: { "postmortem.published": { target: "#incident.closed", actions: "recordPostmortem" } },
                },
              },
            },
            containment: {
              description:
                "Runbook §Contain: policy-driven containment of the primary resource (off, dry-run, approval, auto).",
              initial: "none",
              states: {
                none: {
                  description:
                    "Runbook §Contain: nothing started (policy off, protected resource, nothing to contain, or not yet requested).",
                  on: {
                    "finding.received": [...containmentOnFinding],
                    "finding.updated": [...containmentOnFinding],
                    // `none` means the policy allows nothing here (off, protected, nothing to contain): say why.
                    "containment.requested": { actions: "refuseContainment" },
                  },
                },
                planned: {
                  description:
                    "Runbook §Contain: a dry-run plan of what containment would change; nothing changed yet.",
                  ...containmentEntry("planned"),
                  on: {
                    "command.succeeded": [
                      {
                        guard: "planSucceededNeedsApproval",
                        target: "awaitingApproval",
                        actions: "recordPlan",
                      },
                      { guard: "planSucceeded", actions: "recordPlan" },
                    ],
                    "command.failed": {
                      guard: "planFailed",
                      target: "failed",
                      actions: "recordContainmentFailure",
                    },
                    "containment.requested": { guard: "dryRunOnly", actions: "refuseContainment" },
                  },
                },
                awaitingApproval: {
                  description: "Runbook §Contain: a responder approves or denies the containment plan.",
                  ...containmentEntry("awaitingApproval"),
                  on: {
                    "containment.approved": { target: "isolating", actions: "approveContainment" },
                    "containment.denied": { target: "denied", actions: "denyContainment" },
                  },
                },
                isolating: {
                  description:
                    "Runbook §Contain: containment commands are running (evidence first, every ENI).",
                  ...containmentEntry("isolating"),
                  initial: "applying",
                  on: {
                    "command.failed": {
                      guard: "containmentFailed",
                      target: "failed",
                      actions: "recordContainmentFailure",
                    },
                  },
                  states: {
                    applying: {
                      description:
                        "Runbook §Contain: first step (isolate the instance's ENIs, revoke the open rule, deactivate the key).",
                      entry: "startContainment",
                      on: {
                        "command.succeeded": [
                          {
                            guard: "containmentSucceededWithFollowUp",
                            target: "completing",
                            actions: "recordContainmentResult",
                          },
                          {
                            guard: "containmentSucceeded",
                            target: "#incident.open.containment.isolated",
                            actions: "recordContainmentResult",
                          },
                        ],
                      },
                    },
                    completing: {
                      description:
                        "Runbook §Contain: second step of the two-step swap: tracked connections drained, move to the isolation group.",
                      entry: "requestIsolationFollowUp",
                      on: {
                        "command.succeeded": {
                          guard: "completionSucceeded",
                          target: "#incident.open.containment.isolated",
                          actions: "recordContainmentResult",
                        },
                      },
                    },
                  },
                },
                isolated: {
                  description:
                    "Runbook §Contain: the resource is contained; advance to Eradicate when everything is.",
                  ...containmentEntry("isolated"),
                  on: {
                    "restoration.requested": [
                      { guard: "inRecoverPhase", target: "restoring" },
                      { actions: "refuseRestoration" },
                    ],
                  },
                },
                restoring: {
                  description: "Runbook §Recover: undoing containment with the recorded originals.",
                  ...containmentEntry("restoring"),
                  on: {
                    "command.succeeded": { guard: "restoreSucceeded", target: "restored" },
                    "command.failed": {
                      guard: "restoreFailed",
                      target: "failed",
                      actions: "recordContainmentFailure",
                    },
                  },
                },
                restored: {
                  description: "Runbook §Recover: containment undone; the resource is back in service.",
                  ...containmentEntry("restored"),
                },
                failed: {
                  description:
                    "Runbook §Contain: automatic containment failed: contain manually, then request again.",
                  ...containmentEntry("failed"),
                  on: { "containment.requested": [...retryTransitions] },
                },
                denied: {
                  description:
                    "Runbook §Contain: a responder denied the plan; contain manually or request again.",
                  ...containmentEntry("denied"),
                  on: { "containment.requested": { target: "planned", actions: "requestContainment" } },
                },
              },
            },
          },
        },
        closed: {
          type: "final",
          description:
            "Runbook §Postmortem: postmortem published; the incident is closed and its findings resolved.",
          entry: "closeResolved",
        },
        suppressed: {
          type: "final",
          description:
            "Runbook §Detect: false positive; findings suppressed and GuardDuty told the finding was not useful.",
          entry: "closeSuppressed",
        },
      },
    });
}

export type IncidentMachine = ReturnType<typeof buildMachine>;

const cache = new WeakMap<SlaPolicy, WeakMap<ContainmentPolicy, IncidentMachine>>();

/** The machine for a pair of policies (memoized: building it is pure but not free). */
export function incidentMachine(policies: Policies): IncidentMachine {
  let byContainment = cache.get(policies.sla);
  if (!byContainment) {
    byContainment = new WeakMap();
    cache.set(policies.sla, byContainment);
  }
  let machine = byContainment.get(policies.containment);
  if (!machine) {
    machine = buildMachine(policies);
    byContainment.set(policies.containment, machine);
  }
  return machine;
}
