// The same through the `require` condition: dist/index.d.cts.
import { gather } from 'p-gather';

export const result: Promise<[number]> = gather([(signal) => (signal.aborted ? 0 : 1)]);
