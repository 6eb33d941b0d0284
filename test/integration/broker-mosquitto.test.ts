import { describe } from 'vitest';
import { brokerConformance } from '../conformance/broker.js';
import { mosquittoBroker } from '../helpers/brokers.js';
import { announceMosquittoSkip, hasMosquitto } from '../helpers/mosquitto.js';

announceMosquittoSkip('broker conformance: mosquitto');
describe.skipIf(!hasMosquitto)('broker conformance: mosquitto', () => brokerConformance(mosquittoBroker));
