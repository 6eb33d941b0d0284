import buildDist from '../integration/global-setup.js';
import { hasChromium } from './helpers/browser.js';

/**
 * The browser tests run the real bin/acfleet.js and its built page: build dist/ as the
 * integration tests do (once per run). Without chromium every browser test skips, so nothing is built.
 */
export default function setup(): void {
  if (hasChromium) buildDist();
}
