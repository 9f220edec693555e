import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import type { ImageStore } from '../loyalty/receipts/image-store.js';

/** Receipt images as files under `root` (npm start, tests, a single-host install). */
export function imageFolder(root: string): ImageStore {
  const base = resolve(root);
  const pathOf = (key: string) => {
    const path = resolve(join(base, key));
    // Keys are made by Tessera; a key that climbs out of the folder is a bug, refused all the same.
    if (!path.startsWith(base + sep)) throw new Error(`image key ${key} leaves the image folder`);
    return path;
  };
  return {
    async put(key, bytes) {
      const path = pathOf(key);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, bytes);
    },
    async get(key) {
      return readFile(pathOf(key)).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return null;
        throw error;
      });
    },
    async delete(key) {
      await rm(pathOf(key), { force: true });
    },
  };
}
