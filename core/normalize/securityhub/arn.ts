/**
 * ARN pieces Security Hub findings lean on. Any partition is accepted (aws, aws-cn, aws-us-gov), and the
 * parse never throws: a string that is not an ARN yields `undefined`, so callers fall back to the raw id.
 */

export interface Arn {
  partition: string;
  service: string;
  region: string;
  account: string;
  /** Everything after the account field, e.g. `instance/i-0abc`, `function:name:alias`, `bucket-name`. */
  resource: string;
}

export function parseArn(text: string): Arn | undefined {
  const match = /^arn:([^:]+):([^:]+):([^:]*):([^:]*):(.+)$/.exec(text.trim());
  if (!match) return undefined;
  const [, partition = "", service = "", region = "", account = "", resource = ""] = match;
  return { partition, service, region, account, resource };
}

/** `instance/i-0abc` → `i-0abc`; `function:name:alias` → `name` (the segment after the type prefix). */
export function resourceName(resource: string, prefix: string): string | undefined {
  for (const separator of ["/", ":"]) {
    const head = `${prefix}${separator}`;
    if (resource.startsWith(head)) {
      const name = resource.slice(head.length).split(separator)[0];
      return name === "" ? undefined : name;
    }
  }
  return undefined;
}

export const lastSegment = (text: string): string => text.split(/[/:]/).filter(Boolean).at(-1) ?? text;

/**
 * `arn:aws:securityhub:<region>:<account>:product/<company>/<product>` (also `productv2/…`, and the
 * form without the empty account field that appears in AWS's own GuardDuty example).
 */
export function parseProductArn(
  text: string,
): { region?: string; company: string; product: string } | undefined {
  const match = /^arn:[^:]+:securityhub:([^:]*):(?:[^:/]*:)?product(?:v2)?\/([^/]+)\/([^/]+)/.exec(
    text.trim(),
  );
  if (!match) return undefined;
  const [, region = "", company = "", product = ""] = match;
  return { region: region === "" ? undefined : region, company, product };
}

/** `arn:aws:guardduty:<region>:<account>:detector/<detectorId>/finding/<findingId>`. */
export function parseGuardDutyFindingArn(
  text: string,
): { region: string; account: string; detectorId: string; findingId: string } | undefined {
  const match = /arn:[^:]+:guardduty:([^:]*):([^:]*):detector\/([^/]+)\/finding\/([^/\s]+)$/.exec(
    text.trim(),
  );
  if (!match) return undefined;
  const [, region = "", account = "", detectorId = "", findingId = ""] = match;
  return { region, account, detectorId, findingId };
}
