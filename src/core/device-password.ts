import { createHmac } from 'node:crypto';

/**
 * A device's MQTT password: HMAC-SHA256 of its thing name under the fleet's device secret. The
 * broker recomputes it, so one device cannot log in as another without the secret.
 */
export const devicePassword = (secret: string, thingName: string): string =>
  createHmac('sha256', secret).update(thingName).digest('base64url');
