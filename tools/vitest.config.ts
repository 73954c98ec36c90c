import { defineConfig } from 'vitest/config';

// These tests start the CLIs as real processes; on a loaded 2-core machine a start can take
// several seconds. The limit only guards against hangs; it measures nothing.
export default defineConfig({ test: { testTimeout: 60_000 } });
