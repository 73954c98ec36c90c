/** Writes src/generated/crd-fields.json (pnpm --filter @kubevirt-ci/validate generate). */
import { writeFileSync } from 'node:fs';
import { generateCrdFields } from './crd-fields.ts';

const target = new URL('./generated/crd-fields.json', import.meta.url);
writeFileSync(target, JSON.stringify(generateCrdFields(), null, 1) + '\n');
console.log(`wrote ${target.pathname}`);
