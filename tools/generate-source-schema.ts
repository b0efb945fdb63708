/**
 * Writes rules/schema/source-mapping.schema.json from the zod schema the service validates
 * mapping files with, so editors and the service agree. Run after changing
 * shared/src/sources/source-mapping.ts:
 *
 *   npx tsx tools/generate-source-schema.ts          (write)
 *   npx tsx tools/generate-source-schema.ts --check  (exit 1 when the committed file is stale)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { sourceMappingJsonSchema } from '@triage/shared/sources';
import { format, resolveConfig } from 'prettier';

export const sourceSchemaFile = path.resolve(
  __dirname,
  '..',
  'rules',
  'schema',
  'source-mapping.schema.json',
);

/** The schema file's text, formatted as `prettier --check` expects. */
export async function renderSourceSchema(): Promise<string> {
  const options = (await resolveConfig(sourceSchemaFile)) ?? {};
  return format(JSON.stringify(sourceMappingJsonSchema()), { ...options, filepath: sourceSchemaFile });
}

async function main(): Promise<void> {
  const rendered = await renderSourceSchema();
  if (process.argv.includes('--check')) {
    let committed = '';
    try {
      committed = readFileSync(sourceSchemaFile, 'utf8');
    } catch {
      // a missing file is stale too
    }
    if (committed !== rendered) {
      console.error(`${sourceSchemaFile} is stale: run npx tsx tools/generate-source-schema.ts`);
      process.exit(1);
    }
    console.log(`${sourceSchemaFile} is up to date`);
    return;
  }
  writeFileSync(sourceSchemaFile, rendered);
  console.log(`wrote ${sourceSchemaFile}`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
