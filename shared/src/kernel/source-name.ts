import { z } from 'zod';

/** A CRM source's name: the file name of rules/sources/<source>.json, the :source of its webhook, a crm key's subject. */
export const sourceNameSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'lower-case letters, digits, - and _ (at most 64)');
