import { afterAll, beforeAll } from 'vitest';
import { demoPassword, seedDemoProgram } from '../../wiring/demo-program.js';
import { backOfficeApi, serveBackOffice } from './back-office.js';
import { startDevServer, startWorkerHarness, type WorkerHarness } from './temporal.js';

/**
 * The demo program served in the back office for a test file: set up before its tests and torn
 * down after them. Koffie Corner's user (`partner`) and the operator sign in with the demo password;
 * `partnerIds` are the two demo partners the tests aim at each other.
 */
export function demoBackOffice(taskQueue: string) {
  let served: Awaited<ReturnType<typeof serveBackOffice>> | undefined;
  let base = '';
  const demo = {
    harness: undefined as unknown as WorkerHarness,
    partnerIds: { fitapp: '', koffie: '' },
    operator: 'operator@tessera.demo',
    partner: 'partner@tessera.demo',
    ...backOfficeApi(() => base, demoPassword),
    /** The back office's address, once set up. */
    get base() {
      return base;
    },
  };
  beforeAll(async () => {
    demo.harness = await startWorkerHarness(startDevServer, taskQueue);
    const dataSource = demo.harness.db.dataSource;
    await seedDemoProgram(dataSource);
    const id = async (code: string) => (await dataSource.query(`SELECT id FROM partner WHERE code = $1`, [code]))[0].id as string;
    demo.partnerIds.fitapp = await id('fitapp');
    demo.partnerIds.koffie = await id('koffie-corner');
    served = await serveBackOffice(demo.harness);
    base = served.base;
  }, 180_000);
  afterAll(async () => {
    await served?.close();
    await demo.harness?.stop();
  });
  return demo;
}
