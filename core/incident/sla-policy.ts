/**
 * SLA policy: how long each phase of the response plan may take, per severity, and how a breach escalates.
 *
 * Invariants:
 * - Budgets are minutes. In `cumulative` mode (the plan's default) a phase's budget counts from detection
 *   (T0): detect = "acknowledged by T0+15 min", assess = "assessed by T0+30 min", and so on. In `per-phase`
 *   mode each budget counts from the moment the phase was entered.
 * - The postmortem budget always counts from recovery (entry into the postmortem phase), in both modes:
 *   the plan says "published within 48 h of recovery", and recovery time is unknowable at T0.
 * - Every severity has a full budget table after parsing: partial overrides merge over the defaults.
 * - Defaults for LOW and INFORMATIONAL are deliberately slower (a LOW finding is acknowledged within the
 *   hour, an INFORMATIONAL one within a working day) so low-value noise does not page people at night.
 */
import * as z from "zod";
import { SEVERITY_LABELS, type SeverityLabel } from "../findings/severity";
import { ACTIVE_PHASES, type ActivePhase } from "./phases";

export const CLOCK_MODES = ["cumulative", "per-phase"] as const;
export type ClockMode = (typeof CLOCK_MODES)[number];

export type PhaseBudgets = Record<ActivePhase, number>;

const HOUR = 60;
const DAY = 24 * HOUR;

/** The response plan as written (DESIGN §1). */
const PLAN: PhaseBudgets = {
  detect: 15,
  assess: 30,
  contain: HOUR,
  eradicate: 4 * HOUR,
  recover: 8 * HOUR,
  postmortem: 2 * DAY,
};

export const DEFAULT_BUDGETS: Record<SeverityLabel, PhaseBudgets> = {
  CRITICAL: PLAN,
  HIGH: PLAN,
  MEDIUM: PLAN,
  LOW: {
    detect: HOUR,
    assess: 2 * HOUR,
    contain: 4 * HOUR,
    eradicate: DAY,
    recover: 2 * DAY,
    postmortem: 7 * DAY,
  },
  INFORMATIONAL: {
    detect: DAY,
    assess: 2 * DAY,
    contain: 3 * DAY,
    eradicate: 7 * DAY,
    recover: 14 * DAY,
    postmortem: 14 * DAY,
  },
};

export const DEFAULT_ESCALATION_LEVELS = ["on-call", "security-lead", "head-of-security"] as const;

const minutes = z
  .number()
  .positive()
  .max(366 * DAY);

const partialBudgetsSchema = z.object(
  Object.fromEntries(ACTIVE_PHASES.map((phase) => [phase, minutes.optional()])) as Record<
    ActivePhase,
    z.ZodOptional<typeof minutes>
  >,
);

const budgetOverridesSchema = z
  .object(
    Object.fromEntries(SEVERITY_LABELS.map((label) => [label, partialBudgetsSchema.optional()])) as Record<
      SeverityLabel,
      z.ZodOptional<typeof partialBudgetsSchema>
    >,
  )
  .prefault({});

function mergeBudgets(
  overrides: z.output<typeof budgetOverridesSchema>,
): Record<SeverityLabel, PhaseBudgets> {
  const merged = {} as Record<SeverityLabel, PhaseBudgets>;
  for (const label of SEVERITY_LABELS) {
    const given = overrides[label] ?? {};
    const table = { ...DEFAULT_BUDGETS[label] };
    for (const phase of ACTIVE_PHASES) table[phase] = given[phase] ?? table[phase];
    merged[label] = table;
  }
  return merged;
}

/** Phases whose cumulative deadlines must not go backwards (postmortem counts from recovery instead). */
const CUMULATIVE_ORDER = ACTIVE_PHASES.filter((phase) => phase !== "postmortem");

export const slaPolicySchema = z
  .object({
    mode: z.enum(CLOCK_MODES).default("cumulative"),
    /** A clock warns when this share of its budget is spent. */
    warnAtPercent: z.number().gt(0).lt(100).default(80),
    budgets: budgetOverridesSchema,
    escalation: z
      .object({
        /** Who is paged, lowest first; a breach pages level 0 and re-escalates one level at a time. */
        levels: z
          .array(z.string().min(1))
          .min(1)
          .default([...DEFAULT_ESCALATION_LEVELS]),
        reescalateEveryMinutes: minutes.default(15),
      })
      .prefault({}),
  })
  .transform((policy) => ({ ...policy, budgets: mergeBudgets(policy.budgets) }))
  .superRefine((policy, ctx) => {
    if (policy.mode !== "cumulative") return;
    for (const label of SEVERITY_LABELS) {
      const table = policy.budgets[label];
      CUMULATIVE_ORDER.forEach((phase, i) => {
        const previous = i > 0 ? CUMULATIVE_ORDER[i - 1] : undefined;
        if (previous && table[phase] < table[previous]) {
          ctx.addIssue({
            code: "custom",
            path: ["budgets", label, phase],
            message: `in cumulative mode the ${phase} deadline (T0+${table[phase]} min) cannot come before the ${previous} deadline (T0+${table[previous]} min)`,
          });
        }
      });
    }
  });

export type SlaPolicyInput = z.input<typeof slaPolicySchema>;
export type SlaPolicy = z.output<typeof slaPolicySchema>;

export const DEFAULT_SLA_POLICY: SlaPolicy = slaPolicySchema.parse({});

export const budgetMinutes = (policy: SlaPolicy, severity: SeverityLabel, phase: ActivePhase): number =>
  policy.budgets[severity][phase];

/** The level name paged at `level`; levels past the top keep paging the top (DESIGN §1: "keeps escalating"). */
export function escalationTarget(policy: SlaPolicy, level: number): { level: number; target: string } {
  const top = policy.escalation.levels.length - 1;
  const capped = Math.max(0, Math.min(level, top));
  return { level: capped, target: policy.escalation.levels[capped]! };
}
