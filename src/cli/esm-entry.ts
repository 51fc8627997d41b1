// `node dist/cli.js`: the CLI is one CommonJS bundle (cli.cjs, which the bin's launcher runs with a V8 code cache);
// this ES module keeps the path that scripts and the lab use working.
import { createRequire } from 'node:module';

createRequire(import.meta.url)('./cli.cjs');
