// Runs the CLI from source (tests must not depend on a stale dist/): `node --import tsx test/helpers/cli.ts …`.
import { main } from '../../src/cli/main.js';

await main(process.argv);
