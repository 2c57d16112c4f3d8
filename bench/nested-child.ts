/**
 * The nested group's measurement in a process of its own, started by
 * cases/nested.ts with a young generation that holds one whole sample (the reason
 * is there). Prints the samples as JSON on stdout.
 *
 *   node --expose-gc --max-semi-space-size=64 --import tsx bench/nested-child.ts 5000 '{"rounds":3,…}'
 */
import { nestedSamples } from './cases/nested';
import { fullGc, type Plan } from './harness';

const small = Number(process.argv[2]);
if (!Number.isInteger(small) || small < 1)
  throw new Error('usage: nested-child.ts <k> <plan JSON>');
const plan = JSON.parse(process.argv[3] ?? '') as Plan;
fullGc(); // fails early without --expose-gc
process.stdout.write(JSON.stringify(await nestedSamples(small, plan)));
