/**
 * The shape of the messages on the advance queue, as the advance function checks each body it receives
 * (what each kind means, and how messages are sent: advance-message.ts). Producers only serialize values
 * of this type, so they import the type alone and never build the schema: it needs the workflow's event
 * and action schemas (app/act, core/incident/events), which ingest has no other use for.
 */
import * as z from "zod";
import { responderActionSchema } from "../../app/act";
import { findingSchema } from "../../core/findings/finding";
import { incidentEventSchema } from "../../core/incident/events";

const incidentId = z.string().min(1).max(200);

export const advanceMessageSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("finding"), finding: findingSchema }),
  z.object({
    kind: z.literal("responder-action"),
    incidentId,
    action: responderActionSchema,
    actor: z.string().min(1).max(200),
    at: z.iso.datetime({ offset: true }),
  }),
  z.object({ kind: z.literal("incident-event"), incidentId, event: incidentEventSchema }),
]);
export type AdvanceMessage = z.infer<typeof advanceMessageSchema>;
