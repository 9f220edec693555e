import type { EntityManager } from 'typeorm';
import { ProgramSettings } from '../../entities/index.js';

/** Settings row, created with the defaults the first time it is needed. */
export async function programSettings(manager: EntityManager): Promise<ProgramSettings> {
  const found = await manager.findOneBy(ProgramSettings, { id: 1 });
  if (found) return found;
  await manager.createQueryBuilder().insert().into(ProgramSettings).values({ id: 1 }).orIgnore().execute();
  return manager.findOneByOrFail(ProgramSettings, { id: 1 });
}
