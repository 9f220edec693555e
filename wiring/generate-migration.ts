import { spawnSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { openDataSource } from './database.js';
import { startEmbeddedPostgres } from './embedded/postgres.js';

/**
 * `npm run migration:generate -- <Name>`: runs TypeORM's CLI `migration:generate` against a
 * throwaway cluster that already has every committed migration, so the new one holds exactly
 * the difference, then lists the migrations in entities/migrations/index.ts.
 */
const name = process.argv[2];
if (!name || !/^[A-Za-z][A-Za-z0-9]*$/.test(name)) {
  console.error('usage: npm run migration:generate -- <PascalCaseName>');
  process.exit(2);
}
const migrationsDir = resolve('entities/migrations');
const cluster = await startEmbeddedPostgres({ throwaway: true });
try {
  const dataSource = await openDataSource(cluster.url);
  await dataSource.destroy();
  const result = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      'node_modules/typeorm/cli.js',
      'migration:generate',
      '--pretty',
      '--dataSource',
      'entities/cli-data-source.ts',
      join(migrationsDir, name),
    ],
    { stdio: 'inherit', env: { ...process.env, DATABASE_URL: cluster.url } },
  );
  if (result.status !== 0) process.exitCode = result.status ?? 1;
} finally {
  await cluster.stop();
}

const files = readdirSync(migrationsDir)
  .filter((file) => /^\d+-\w+\.ts$/.test(file))
  .sort();
const classes = files.map((file) => {
  const [timestamp, className] = file.replace(/\.ts$/, '').split('-') as [string, string];
  return { file, symbol: `${className}${timestamp}` };
});
writeFileSync(
  join(migrationsDir, 'index.ts'),
  `// Rewritten by \`npm run migration:generate\`: the migrations, oldest first.\n` +
    classes.map((c) => `import { ${c.symbol} } from './${c.file.replace(/\.ts$/, '.js')}';\n`).join('') +
    `\nexport const migrations = [${classes.map((c) => c.symbol).join(', ')}];\n`,
);
