// The one test configuration every package's vitest.config.ts re-exports.
//
// Tests assert behaviour, never speed: on a loaded 2-core machine (turbo runs every
// package's tests at once) a test that takes 1 s alone can take 30. These limits are hang
// guards only, set far above any honest run; `pnpm bench` is where speed is measured.
const hangGuardMs = 10 * 60_000;

export default {
  test: {
    testTimeout: hangGuardMs,
    hookTimeout: hangGuardMs,
    teardownTimeout: hangGuardMs,
  },
};
