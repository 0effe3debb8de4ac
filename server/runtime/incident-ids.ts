/**
 * Incident ids for the local runtime: `IR-<yyyymmdd>-<8 hex>`, sortable by opening day and unguessable
 * enough to never collide in practice (a collision is a VersionConflictError on insert, and ingest simply
 * tries again with a fresh id).
 */
import { randomBytes } from "node:crypto";
import type { IdGenerator } from "../../core/ports/id-generator";

export const randomIncidentIds = (random: (bytes: number) => Buffer = randomBytes): IdGenerator => ({
  incidentId(at: string): string {
    const day = at.slice(0, 10).replaceAll("-", "");
    return `IR-${/^\d{8}$/.test(day) ? day : "00000000"}-${random(4).toString("hex")}`;
  },
});
