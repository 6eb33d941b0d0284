import { describe } from 'vitest';
import { brokerConformance } from '../conformance/broker.js';
import { embeddedBroker } from '../helpers/brokers.js';

describe('broker conformance: embedded aedes', () => brokerConformance(embeddedBroker));
