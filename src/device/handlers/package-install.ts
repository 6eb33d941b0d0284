/**
 * `{"jobType":"APT_UPDATE","aptPackageName":"cowsay"}`: installs a package from the simulated
 * repository into the device's package list (the shadow's `packages`). A name the repository
 * does not have fails the job as apt-get would.
 */
import { NAME_PATTERN, packageNotFound, packageVersion } from '../package-catalogue.js';
import { failed, stepTimeoutFor, type JobHandler } from './handler.js';
import { installPackages } from './packages.js';

export const packageInstall: JobHandler = {
  name: 'package-install',
  operations: ['APT_UPDATE', 'installPackage'],

  matchesShape: (doc) => 'aptPackageName' in doc,

  check(doc) {
    const name = doc.aptPackageName;
    return typeof name === 'string' && NAME_PATTERN.test(name) ? undefined : 'aptPackageName must be a package name';
  },

  step(host, run) {
    const name = run.document.aptPackageName as string;
    if (run.details.step !== 'installing') {
      return { status: 'IN_PROGRESS', statusDetails: { step: 'installing', package: name }, waitMs: run.stepMs, stepTimeoutInMinutes: stepTimeoutFor(run.stepMs) };
    }
    const version = packageVersion(name);
    if (version === undefined) return failed(packageNotFound(name), { package: name });
    installPackages(host, [name]);
    return { status: 'SUCCEEDED', statusDetails: { package: name, version } };
  },
};
