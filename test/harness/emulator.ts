/**
 * Starts the real Firestore emulator for one test file and points the Firestore client at it.
 * SKYFED_TEST_EMULATOR_HOST reuses an emulator already running (handy while developing).
 */

export interface TestEmulator {
  readonly host: string;
  stop(): Promise<void>;
}

export async function useEmulator(opts: { functionsEmulator?: string } = {}): Promise<TestEmulator> {
  const pre = process.env['SKYFED_TEST_EMULATOR_HOST'];
  if (pre) {
    process.env['FIRESTORE_EMULATOR_HOST'] = pre;
    process.env['METADATA_SERVER_DETECTION'] = 'none';
    return { host: pre, stop: async () => undefined };
  }
  const { startFirestoreEmulator } = await import('../../local/firestore-emulator');
  const emu = await startFirestoreEmulator({ port: 0, ...(opts.functionsEmulator ? { functionsEmulator: opts.functionsEmulator } : {}) });
  process.env['FIRESTORE_EMULATOR_HOST'] = emu.host;
  process.env['METADATA_SERVER_DETECTION'] = 'none';
  return {
    host: emu.host,
    stop: async () => {
      await emu.stop();
    },
  };
}
