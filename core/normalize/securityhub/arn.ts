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
  // Indexed rather than destructured (every group always takes part): destructuring walks the iterator protocol.
  return {
    partition: match[1]!,
    service: match[2]!,
    region: match[3]!,
    account: match[4]!,
    resource: match[5]!,
  };
}

/** `instance/i-0abc` → `i-0abc`; `function:name:alias` → `name` (the segment after the type prefix). */
export function resourceName(resource: string, prefix: string): string | undefined {
  // Checked in place (no `prefix + separator` string, no split of the whole rest): this runs per resource.
  if (!resource.startsWith(prefix)) return undefined;
  for (const separator of SEPARATORS) {
    if (resource.charAt(prefix.length) !== separator) continue;
    const start = prefix.length + 1;
    const end = resource.indexOf(separator, start);
    const name = end < 0 ? resource.slice(start) : resource.slice(start, end);
    return name === "" ? undefined : name;
  }
  return undefined;
}

const SEPARATORS = ["/", ":"] as const;

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
  const region = match[1]!;
  return { region: region === "" ? undefined : region, company: match[2]!, product: match[3]! };
}

/** `arn:aws:guardduty:<region>:<account>:detector/<detectorId>/finding/<findingId>`. */
export function parseGuardDutyFindingArn(
  text: string,
): { region: string; account: string; detectorId: string; findingId: string } | undefined {
  const match = /arn:[^:]+:guardduty:([^:]*):([^:]*):detector\/([^/]+)\/finding\/([^/\s]+)$/.exec(
    text.trim(),
  );
  if (!match) return undefined;
  return { region: match[1]!, account: match[2]!, detectorId: match[3]!, findingId: match[4]! };
}
