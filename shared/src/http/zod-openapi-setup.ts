import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';

// Adds .openapi() to zod schemas. zod 4 gives each schema its methods when it is created, so only
// schemas made after this runs have it: http/index.ts imports it first, and the schemas of
// kernel/ and complaint/ (loaded earlier by domain code) describe themselves with .meta() instead.
extendZodWithOpenApi(z);
