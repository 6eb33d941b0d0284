import { describe } from 'vitest';
import { jobsApiConformance } from '../conformance/jobs-api.js';
import { mosquittoBroker } from '../helpers/brokers.js';
import { announceMosquittoSkip, hasMosquitto } from '../helpers/mosquitto.js';

announceMosquittoSkip('jobs device API conformance: mosquitto');
describe.skipIf(!hasMosquitto)('jobs device API conformance: mosquitto', () => jobsApiConformance(mosquittoBroker));
