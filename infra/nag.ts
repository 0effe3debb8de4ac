/**
 * cdk-nag acknowledgements with a reason that says why. Every finding the AwsSolutions pack reports is
 * either fixed or acknowledged here, on the narrowest construct, by its exact finding id
 * (`AwsSolutions-IAM5[Resource::*]`), never by a whole rule: a new wildcard elsewhere still fails synth.
 */
import { Validations } from "aws-cdk-lib";
import type { IConstruct } from "constructs";

/** Reasons shorter than this cannot say why; the tests read every reason back. */
export const MIN_REASON_LENGTH = 40;

export interface Acknowledgement {
  /** The rule id, or a finding id `Rule[Finding]`. */
  id: string;
  reason: string;
}

export function acknowledge(scope: IConstruct, ...acknowledgements: Acknowledgement[]): void {
  for (const { id, reason } of acknowledgements) {
    if (reason.trim().length < MIN_REASON_LENGTH)
      throw new Error(`cdk-nag acknowledgement ${id} on ${scope.node.path} needs a reason that says why`);
    Validations.of(scope).acknowledge({ id, reason });
  }
}

/** The finding id AwsSolutions-IAM5 reports for a wildcard resource or action. */
export const iam5 = (finding: string): string => `AwsSolutions-IAM5[${finding}]`;
