// jest loads global setup outside its transform pipeline; register the same SWC loader the CLIs use
// and hand over to the TypeScript implementation.
import '@swc-node/register/esm-register';

export default async function globalSetup() {
  const { default: setup } = await import('./global-setup-impl.ts');
  await setup();
}
