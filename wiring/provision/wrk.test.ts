import { expect, it } from 'vitest';
import { provisionWrk } from './wrk.js';

it('says which Debian package to install when wrk is missing and nothing may be installed', () => {
  expect(() => provisionWrk({ debianPath: '/nonexistent/wrk', mayInstall: false })).toThrow(
    'The API benchmark needs wrk at /nonexistent/wrk: install Debian\'s package "wrk" (apt-get install wrk, as root), or set WRK_PATH to a wrk executable.',
  );
  expect(() => provisionWrk({ explicitPath: '/nonexistent/wrk' })).toThrow('WRK_PATH=/nonexistent/wrk is not an executable file');
});
