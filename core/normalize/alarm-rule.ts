/**
 * A CloudWatch alarm rule: which alarms become which kind of finding. Matching is on alarm name
 * (glob with `*`), namespace and metric name; every given condition must hold. First match wins.
 */
import * as z from "zod";
import { categorySchema } from "../findings/categories";
import { severityLabelSchema } from "../findings/severity";

export const alarmRuleSchema = z.object({
  id: z.string().min(1),
  title: z.string().min(1),
  alarmName: z.string().optional(),
  namespace: z.string().optional(),
  metricName: z.string().optional(),
  severity: severityLabelSchema,
  category: categorySchema,
});
export type AlarmRule = z.infer<typeof alarmRuleSchema>;
