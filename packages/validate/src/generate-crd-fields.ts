/** Writes src/generated/crd-fields.json and core-fields.json (pnpm --filter @kubevirt-ci/validate generate). */
import { writeFileSync } from 'node:fs';
import { generateCoreFields } from './core-fields.ts';
import { generateCrdFields } from './crd-fields.ts';

for (const [file, value] of [['crd-fields.json', generateCrdFields()], ['core-fields.json', generateCoreFields()]] as const) {
  const target = new URL(`./generated/${file}`, import.meta.url);
  writeFileSync(target, JSON.stringify(value, null, 1) + '\n');
  console.log(`wrote ${target.pathname}`);
}
