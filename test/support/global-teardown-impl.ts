import fs from 'node:fs';

export default async function globalTeardown(): Promise<void> {
  const state = (globalThis as { __EMBEDDED_PG__?: { handle: { stop(): Promise<void> }; dataDir: string } }).__EMBEDDED_PG__;
  if (!state) return;
  await state.handle.stop();
  fs.rmSync(state.dataDir, { recursive: true, force: true });
}
