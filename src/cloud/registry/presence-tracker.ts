import type { MqttClient } from 'mqtt';

/**
 * Which devices are connected, from AWS IoT lifecycle events (`$aws/events/presence/…`), so it
 * works with any broker that publishes them. A takeover's late "disconnected" for the old
 * session does not mark the thing offline.
 */
export class PresenceTracker {
  private readonly sessions = new Map<string, string>();

  get online(): number {
    return this.sessions.size;
  }

  isOnline(thingName: string): boolean {
    return this.sessions.has(thingName);
  }

  async attach(client: MqttClient): Promise<void> {
    client.on('message', (topic, payload) => this.onMessage(topic, payload));
    await client.subscribeAsync(['$aws/events/presence/connected/+', '$aws/events/presence/disconnected/+'], { qos: 0 });
  }

  onMessage(topic: string, payload: Buffer): void {
    if (!topic.startsWith('$aws/events/presence/')) return;
    let event: { clientId?: unknown; eventType?: unknown; sessionIdentifier?: unknown };
    try {
      event = JSON.parse(payload.toString()) as typeof event;
    } catch {
      return;
    }
    if (typeof event.clientId !== 'string') return;
    const session = typeof event.sessionIdentifier === 'string' ? event.sessionIdentifier : '';
    if (event.eventType === 'connected') this.sessions.set(event.clientId, session);
    else if (event.eventType === 'disconnected' && this.sessions.get(event.clientId) === session) this.sessions.delete(event.clientId);
  }
}
