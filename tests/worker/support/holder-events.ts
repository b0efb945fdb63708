import type { RuleError, Ruleset } from '@triage/rules';
import type { RulesetHolder } from '../../../services/worker/src/domain/ruleset-holder';

/**
 * Resolves with the next 'rejected' event whose errors satisfy `matches` (a file is often
 * seen half-written first, so an early rejection for "not valid JSON" is skipped).
 */
export function nextRejection(
  holder: RulesetHolder,
  matches: (errors: RuleError[]) => boolean,
  timeoutMs = 10_000,
): Promise<RuleError[]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      holder.off('rejected', onRejected);
      reject(new Error(`no matching rejection within ${timeoutMs} ms`));
    }, timeoutMs);
    const onRejected = (errors: RuleError[]) => {
      if (!matches(errors)) return;
      clearTimeout(timer);
      holder.off('rejected', onRejected);
      resolve(errors);
    };
    holder.on('rejected', onRejected);
  });
}

/** Resolves with the next ruleset applied with a version other than `previousVersion`. */
export function nextNewVersion(
  holder: RulesetHolder,
  previousVersion: string,
  timeoutMs = 10_000,
): Promise<Ruleset> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      holder.off('applied', onApplied);
      reject(new Error(`no new ruleset within ${timeoutMs} ms`));
    }, timeoutMs);
    const onApplied = (ruleset: Ruleset) => {
      if (ruleset.version === previousVersion) return;
      clearTimeout(timer);
      holder.off('applied', onApplied);
      resolve(ruleset);
    };
    holder.on('applied', onApplied);
  });
}
