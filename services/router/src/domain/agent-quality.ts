/**
 * The agents' ranking: one documented composite of five parts, each 0–100 and each shown.
 *
 * | part        | what                                                                  | weight |
 * | ----------- | --------------------------------------------------------------------- | ------ |
 * | `qa`        | mean QA score of the tickets they resolved (auto-QA and reviews)      | 30     |
 * | `csat`      | share of survey answers scoring 4 or 5                                | 25     |
 * | `sla`       | resolution SLA attainment                                             | 25     |
 * | `fcr`       | first-contact resolution: resolved, not reopened, no repeat in 7 days | 15     |
 * | `transfers` | 100 − the share of their tickets they transferred away                | 5      |
 *
 * A part without data (no survey answered yet, no QA score) is left out and the others' weights
 * scale up, so an agent is not ranked down for what was not measured; `weightCovered` says how
 * much of the full weight the score stands on. An agent who resolved nothing in the range has no
 * score (only tickets still open, or transferred away) and ranks after those who have one.
 */
export const compositeWeights = { qa: 30, csat: 25, sla: 25, fcr: 15, transfers: 5 } as const;
export type CompositePart = keyof typeof compositeWeights;

export interface CompositeScore {
  /** 0–100, or null when no part could be measured. */
  score: number | null;
  parts: Record<CompositePart, number | null>;
  /** The share of the full weight (100) the score stands on. */
  weightCovered: number;
}

export interface QualityInputs {
  /** Tickets the agent resolved in the range: with none, there is nothing to rank them on. */
  resolved: number;
  qaScore: number | null;
  csatPct: number | null;
  slaAttainmentPct: number | null;
  fcrPct: number | null;
  transferRatePct: number | null;
}

const round = (value: number) => Math.round(value * 100) / 100;

export function compositeScore(inputs: QualityInputs): CompositeScore {
  const parts: Record<CompositePart, number | null> = {
    qa: inputs.qaScore,
    csat: inputs.csatPct,
    sla: inputs.slaAttainmentPct,
    fcr: inputs.fcrPct,
    transfers: inputs.transferRatePct === null ? null : 100 - inputs.transferRatePct,
  };
  let weighted = 0;
  let weight = 0;
  for (const [part, value] of Object.entries(parts) as Array<[CompositePart, number | null]>) {
    if (value === null) continue;
    weighted += value * compositeWeights[part];
    weight += compositeWeights[part];
  }
  const score = weight === 0 || inputs.resolved === 0 ? null : round(weighted / weight);
  return { score, parts, weightCovered: weight };
}
