import type { SlaTimerKind } from './sla-clock';

/**
 * The catalogue of SLA timer kinds: the history event (and notify payload type) each one
 * records. Written once; the SLA step plan, the notifications and the metrics read it.
 */
export const slaTimerKinds: Readonly<Record<SlaTimerKind, { event: string }>> = {
  warning: { event: 'sla.warning' },
  breach: { event: 'sla.breached' },
  escalation: { event: 'sla.escalated' },
};

/** The kind of timer a ladder key names: `warning`, `breach`, or a later step (`breach+30m`). */
export function slaTimerKindOf(key: string): SlaTimerKind {
  return key === 'warning' || key === 'breach' ? key : 'escalation';
}
