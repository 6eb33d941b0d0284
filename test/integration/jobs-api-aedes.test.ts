import { describe } from 'vitest';
import { jobsApiConformance } from '../conformance/jobs-api.js';
import { embeddedBroker } from '../helpers/brokers.js';

describe('jobs device API conformance: embedded aedes', () => jobsApiConformance(embeddedBroker));
