/**
 * Links to a runbook section: `<base>/runbooks/<id>.md#<anchor>`, the path the repository (and the local
 * server) keeps runbooks under. The anchor is the one markdown renderers give the heading (`Detect` →
 * `#detect`), so a phase name, a RUNBOOK_SECTION name or the heading itself all link to the same place.
 *
 * An empty base gives a relative link (`runbooks/ec2-compromise.md#detect`), as the SNS alerter prints.
 */
import { anchorOf } from "./parse-runbook";

export function runbookUrl(baseUrl: string, id: string, section: string): string {
  const base = baseUrl.replace(/\/+$/, "");
  const path = `runbooks/${encodeURIComponent(id)}.md`;
  const anchor = anchorOf(section);
  return `${base === "" ? "" : `${base}/`}${path}${anchor === "" ? "" : `#${encodeURIComponent(anchor)}`}`;
}
