import { z } from 'zod';

/** One scale for every rule and report. `critical` is the most severe. */
export const severities = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof severities)[number];

export const severityRank: Record<Severity, number> = { low: 1, medium: 2, high: 3, critical: 4 };

export interface FiredRule {
  stage: string;
  rule: string;
  priority: number;
  params: Record<string, unknown>;
}

export interface ConditionTrace {
  fact: string;
  path?: string;
  operator: string;
  value: unknown;
  factResult: unknown;
  result: boolean;
}

export interface RuleTrace {
  stage: string;
  rule: string;
  fired: boolean;
  conditions: unknown;
}

export interface PriorityBreakdown {
  score: number;
  components: Record<string, number>;
}

/** What the worker decides for a complaint, and why. */
export interface TriageDecision {
  category: string;
  severity: Severity;
  priority: PriorityBreakdown;
  slaPolicy: string;
  /** The business calendar the deadlines were computed on. */
  calendar: string;
  firstResponseDueAt: Date;
  resolutionDueAt: Date;
  queue: string;
  skills: string[];
  tags: string[];
  flags: string[];
  rulesetVersion: string;
  firedRules: FiredRule[];
  decidedAt: Date;
}

export const triageDecisionJsonSchema = z.object({
  category: z.string(),
  severity: z.enum(severities),
  queue: z.string(),
});
