import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';

// Adds .openapi() to zod schemas. zod 4 gives each schema its methods when it is created, so
// this must run before any schema exists: shared/src/index.ts imports this module first.
extendZodWithOpenApi(z);
