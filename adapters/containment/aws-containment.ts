/**
 * The Containment port on AWS: EC2 isolation, security-group lockdown and access-key deactivation, each
 * with its undo and its dry-run plan, in the service's own account or, through STS AssumeRole, in any
 * other (clients.ts). Region and account come from the target.
 *
 * Invariants: the command id is the idempotency key (snapshot tags, re-runs find their own work);
 * results are plain JSON carrying what restore needs; throttling throws RetryLaterError so the command
 * is retried later, any other AWS failure throws an error naming the failed call.
 */
import type { CommandParams } from "../../core/incident/commands";
import type { Containment, ContainmentPlan } from "../../core/ports/containment";
import type { JsonObject } from "../../core/ports/incident-store";
import { deactivateAccessKey, reactivateAccessKey } from "./access-key-lock";
import { CallIo, type Io, sendWith } from "./aws-io";
import { ClientProvider, type ClientProviderOptions } from "./clients";
import {
  completeIsolation,
  type IsolationContext,
  type IsolationOptions,
  isolateInstance,
  restoreIsolation,
} from "./ec2-isolation";
import { buildPlan } from "./plan";
import { lockDownSecurityGroup, restoreSecurityGroup } from "./security-group-lockdown";
import { incidentIdOf } from "./tags";
import { asAccessKey, asInstance, asSecurityGroup } from "./targets";

export interface AwsContainmentOptions extends ClientProviderOptions {
  /** Share one provider (and its credential cache) between adapters. */
  provider?: ClientProvider;
  /** Remove the instance profile while isolating (recorded and put back on restore). Default off. */
  detachInstanceProfile?: boolean;
  /** How long a throttled command waits before its next try (default 5 s). */
  retryAfterMs?: number;
}

/** Stands in for ids a plan cannot know yet: the real command is issued after approval. */
export const PLACEHOLDER_COMMAND_ID = "<isolateInstance command id>";
export const PLACEHOLDER_INCIDENT_ID = "<incident id>";

type Target = CommandParams<"isolateInstance">["target"];

export class AwsContainment implements Containment {
  private readonly provider: ClientProvider;
  private readonly isolation: IsolationOptions;
  private readonly retryAfterMs: number;

  constructor(options: AwsContainmentOptions = {}) {
    this.provider = options.provider ?? new ClientProvider(options);
    this.isolation = { detachInstanceProfile: options.detachInstanceProfile ?? false };
    this.retryAfterMs = options.retryAfterMs ?? 5000;
  }

  /**
   * `ids` names the incident and, when known, the command that will carry the plan out, so the plan shows
   * the exact tags and filters; without them the plan shows placeholders in their place.
   */
  async plan(
    params: CommandParams<"planContainment">,
    ids: { incidentId?: string; commandId?: string } = {},
  ): Promise<ContainmentPlan> {
    const incidentId =
      ids.incidentId ?? (ids.commandId ? incidentIdOf(ids.commandId) : PLACEHOLDER_INCIDENT_ID);
    const { accountId, region } = params.target;
    const clients = await this.provider.clientsFor(accountId, region, incidentId);
    return buildPlan(params, {
      read: sendWith(clients, this.retryAfterMs),
      roleSession: await this.provider.sessionFor(accountId, region, incidentId),
      incidentId,
      commandId: ids.commandId ?? PLACEHOLDER_COMMAND_ID,
      options: this.isolation,
    });
  }

  async isolateInstance(commandId: string, params: CommandParams<"isolateInstance">): Promise<JsonObject> {
    return isolateInstance(await this.isolationContext(commandId, params.target, "isolateInstance"));
  }

  async completeIsolation(
    commandId: string,
    params: CommandParams<"completeIsolation">,
  ): Promise<JsonObject> {
    const ctx = await this.isolationContext(commandId, params.target, "completeIsolation");
    return completeIsolation(ctx, params.firstStep);
  }

  async lockDownSecurityGroup(
    commandId: string,
    params: CommandParams<"lockDownSecurityGroup">,
  ): Promise<JsonObject> {
    const target = asSecurityGroup(params.target, "lockDownSecurityGroup");
    return lockDownSecurityGroup(await this.io(commandId, target), target);
  }

  async deactivateAccessKey(
    commandId: string,
    params: CommandParams<"deactivateAccessKey">,
  ): Promise<JsonObject> {
    const target = asAccessKey(params.target, "deactivateAccessKey");
    return deactivateAccessKey(await this.io(commandId, target), target);
  }

  async restore(commandId: string, params: CommandParams<"restoreContainment">): Promise<JsonObject> {
    const { action, target, undo } = params;
    switch (action) {
      case "isolateInstance":
        return restoreIsolation(
          await this.isolationContext(commandId, target, "restore isolateInstance"),
          undo,
        );
      case "lockDownSecurityGroup": {
        const group = asSecurityGroup(target, "restore lockDownSecurityGroup");
        return restoreSecurityGroup(await this.io(commandId, group), group, undo);
      }
      case "deactivateAccessKey": {
        const key = asAccessKey(target, "restore deactivateAccessKey");
        return reactivateAccessKey(await this.io(commandId, key), key);
      }
      default:
        return ((unexpected: never) => unexpected)(action);
    }
  }

  private async io(commandId: string, target: Target): Promise<Io> {
    const clients = await this.provider.clientsFor(target.accountId, target.region, incidentIdOf(commandId));
    return CallIo.live(sendWith(clients, this.retryAfterMs));
  }

  private async isolationContext(
    commandId: string,
    target: Target,
    action: string,
  ): Promise<IsolationContext> {
    const instance = asInstance(target, action);
    return {
      io: await this.io(commandId, instance),
      target: instance,
      commandId,
      incidentId: incidentIdOf(commandId),
      options: this.isolation,
    };
  }
}
