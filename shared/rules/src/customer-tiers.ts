/** Customer tiers, lowest first: rules, SLA policies and the priority score use them. */
export const customerTiers = ['standard', 'silver', 'gold', 'platinum', 'vip'] as const;
export type CustomerTier = (typeof customerTiers)[number];
