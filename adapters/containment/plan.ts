/**
 * Dry-run plans: the exact, ordered API calls a containment would make for the resource as it is now,
 * shown to the responder before approval. The plan runs the same procedure as the real command through a
 * planning Io: reads are made for real (they change nothing), changes are only recorded, and ids of
 * things not yet created appear as `<new …>` placeholders.
 *
 * An isolation plan also lists step two (the `completeIsolation` follow-up). Its reads are answered from
 * the state step one leaves behind (every ENI in the drain group, groups in place), so the plan shows
 * the calls that follow-up will make, not what a read today would say.
 */
import type { DescribeInstancesCommandOutput } from "@aws-sdk/client-ec2";
import * as z from "zod";
import type { CommandParams } from "../../core/incident/commands";
import type { ContainmentPlan, PlannedCall } from "../../core/ports/containment";
import type { JsonObject } from "../../core/ports/incident-store";
import { deactivateAccessKey } from "./access-key-lock";
import { type Action, type InputOf, isReadAction, type OutputOf } from "./aws-actions";
import { CallIo, type Send } from "./aws-io";
import { ClientProvider, type RoleSession } from "./clients";
import { completeIsolation, type IsolationOptions, isolateInstance } from "./ec2-isolation";
import { groupAfterEnsure } from "./isolation-groups";
import { lockDownSecurityGroup } from "./security-group-lockdown";
import { TAGS } from "./tags";
import { asAccessKey, asInstance, asSecurityGroup } from "./targets";

export interface PlanContext {
  /** Live reads in the target's account and region. */
  read: Send;
  roleSession: RoleSession | null;
  incidentId: string;
  /** The id the real command will have; a placeholder when not known yet. */
  commandId: string;
  options: IsolationOptions;
}

const STEP_TWO = "step two (completeIsolation follow-up, after the drain delay): ";

export async function buildPlan(
  params: CommandParams<"planContainment">,
  ctx: PlanContext,
): Promise<ContainmentPlan> {
  const { calls, result } = await planCalls(params, ctx);
  const assume: PlannedCall[] = ctx.roleSession
    ? [
        {
          service: "sts",
          action: "AssumeRole",
          input: ClientProvider.assumeRoleInput(ctx.roleSession),
          purpose: `credentials in account ${params.target.accountId} (reused until they expire)`,
        },
      ]
    : [];
  const skipped =
    typeof result.skipped === "string"
      ? result.skipped
      : calls.every((call) => isReadAction(call.action))
        ? "already contained: nothing to change"
        : undefined;
  return { action: params.action, calls: [...assume, ...calls], ...(skipped ? { skipped } : {}) };
}

async function planCalls(
  params: CommandParams<"planContainment">,
  ctx: PlanContext,
): Promise<{ calls: PlannedCall[]; result: JsonObject }> {
  const { action, target } = params;
  switch (action) {
    case "isolateInstance":
      return planIsolation(ctx, asInstance(target, action));
    case "lockDownSecurityGroup": {
      const io = CallIo.planning(ctx.read);
      return {
        result: await lockDownSecurityGroup(io, asSecurityGroup(target, action)),
        calls: [...io.calls],
      };
    }
    case "deactivateAccessKey": {
      const io = CallIo.planning(ctx.read);
      return { result: await deactivateAccessKey(io, asAccessKey(target, action)), calls: [...io.calls] };
    }
    default:
      return ((unexpected: never) => unexpected)(action);
  }
}

async function planIsolation(ctx: PlanContext, target: ReturnType<typeof asInstance>) {
  let described: DescribeInstancesCommandOutput | undefined;
  const capture: Send = async (action, input) => {
    const out = await ctx.read(action, input);
    if (action === "DescribeInstances") described = out as DescribeInstancesCommandOutput;
    return out;
  };
  const base = { target, commandId: ctx.commandId, incidentId: ctx.incidentId, options: ctx.options };
  const stepOne = CallIo.planning(capture);
  const first = await isolateInstance({ ...base, io: stepOne });
  if (typeof first.skipped === "string" || !described) return { calls: [...stepOne.calls], result: first };
  const stepTwo = CallIo.planning(afterStepOne(described, first, ctx.incidentId));
  await completeIsolation({ ...base, io: stepTwo }, first);
  return {
    result: first,
    calls: [
      ...stepOne.calls,
      ...stepTwo.calls.map((call) => ({ ...call, purpose: `${STEP_TWO}${call.purpose}` })),
    ],
  };
}

const groupsByVpcSchema = z.record(z.string(), z.object({ isolation: z.string(), drain: z.string() }));

/** Answers step two's reads with the state step one leaves behind. */
function afterStepOne(
  described: DescribeInstancesCommandOutput,
  first: JsonObject,
  incidentId: string,
): Send {
  const groupsByVpc = groupsByVpcSchema.parse(first.groupsByVpc);
  const instances: DescribeInstancesCommandOutput = {
    ...described,
    Reservations: (described.Reservations ?? []).map((reservation) => ({
      ...reservation,
      Instances: (reservation.Instances ?? []).map((instance) => ({
        ...instance,
        Tags: [...(instance.Tags ?? []), { Key: TAGS.isolated, Value: incidentId }],
        NetworkInterfaces: (instance.NetworkInterfaces ?? []).map((eni) => {
          const drain = groupsByVpc[eni.VpcId ?? instance.VpcId ?? ""]?.drain;
          return drain ? { ...eni, Groups: [{ GroupId: drain }] } : eni;
        }),
      })),
    })),
  };
  const groups = Object.entries(groupsByVpc).flatMap(([vpc, g]) => [
    groupAfterEnsure("isolation", vpc, g.isolation),
    groupAfterEnsure("drain", vpc, g.drain),
  ]);
  const answers: Partial<Record<Action, unknown>> = {
    DescribeInstances: instances,
    DescribeSecurityGroups: { SecurityGroups: groups },
  };
  return async <A extends Action>(action: A, _input: InputOf<A>): Promise<OutputOf<A>> => {
    if (!(action in answers)) throw new Error(`a plan cannot foresee the answer to ${action} after step one`);
    return answers[action] as OutputOf<A>;
  };
}
