import { readFileSync } from 'node:fs';
import path from 'node:path';
import { rulesetFileNames } from '@triage/rules';
import { ruleSchemaDir, ruleSchemaDocuments } from '../../../tools/generate-rule-schemas';
import { shippedRulesDir as rulesDir } from './support/shipped-rules';

describe('rules/schema: JSON Schemas generated from the zod schemas', () => {
  it.each([...ruleSchemaDocuments()])(
    'when rules/schema/%s is generated again, then the committed file says the same (else run npx tsx tools/generate-rule-schemas.ts)',
    (file, generated) => {
      const committed = JSON.parse(readFileSync(path.join(ruleSchemaDir, file), 'utf8')) as unknown;
      expect(committed).toEqual(generated);
    },
  );

  it('when the generator runs, then it covers every rule file and the fixture format', () => {
    expect([...ruleSchemaDocuments().keys()].sort()).toEqual(
      [
        ...rulesetFileNames.map((name) => name.replace(/\.json$/, '.schema.json')),
        'rule-tests.schema.json',
      ].sort(),
    );
  });

  it.each(rulesetFileNames)(
    'when an editor opens rules/%s, then its $schema names the generated schema',
    (name) => {
      const file = JSON.parse(readFileSync(path.join(rulesDir, name), 'utf8')) as { $schema?: string };
      expect(file.$schema).toBe(`./schema/${name.replace(/\.json$/, '.schema.json')}`);
    },
  );
});
