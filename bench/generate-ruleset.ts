/**
 * A seeded generator of rulesets and complaints shaped like real admin rules, for the
 * rules-throughput benchmark and the compiled-evaluator differential test.
 *
 * Rules: about 70 % keyword rules (5–20 Chinese and English keywords, sometimes with an
 * exclusion list or an equality beside them), 20 % equality rules on channel, product and
 * customer tier (later stages also on category and tags), 10 % numeric and time rules (age,
 * hour and weekday of receipt, business hours, text length, history facts), nested all/any/not
 * up to depth 3, spread over the four stages with event params valid for each stage.
 * Complaints: Chinese, English and mixed text with a few domain keywords among filler words,
 * some upper-case, full-width or oddly spaced, on every channel, tier and product.
 *
 * The same seed always gives the same files and complaints. This file is the facade: the PRNG
 * and vocabulary are in generator-vocabulary.ts, the rule templates in generate-rule-files.ts,
 * the complaints and their history in generate-complaints.ts.
 */
export { createRandom } from './generator-vocabulary';
export { generateRuleFiles } from './generate-rule-files';
export { complaintFactsOf, generateComplaints, generatedHistory } from './generate-complaints';
