// The HP1 fixtures of the unit tests (make.sh in this folder says what each holds). Under ctest
// (`ctest -R web_unit`), HERDPASS_HP1_TESTDATA names the ones the build has just made with this
// commit's C++ code (tests/web/CMakeLists.txt); without it (`npx vitest run` alone, no C++ build)
// the committed copies beside this file. Test code only: node's fs, left out of tsc's program.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const FIXTURE_DIR = process.env.HERDPASS_HP1_TESTDATA || __dirname;

// REQUIRES: `name` is one of the files make.sh writes. Throws when it cannot be read: a missing
// fixture fails the test that needs it.
export const loadFixture = (name: string) => JSON.parse(readFileSync(join(FIXTURE_DIR, name), 'utf8'));
