/**
 * AWS IoT lifecycle events, published by the broker as AWS IoT Core does:
 * `$aws/events/presence/connected/{clientId}` and `…/disconnected/{clientId}`.
 */
export const presenceTopic = (kind: 'connected' | 'disconnected', clientId: string): string => `$aws/events/presence/${kind}/${clientId}`;

export interface PresenceEvent {
  clientId: string;
  /** Epoch milliseconds, as AWS sends them. */
  timestamp: number;
  eventType: 'connected' | 'disconnected';
  sessionIdentifier: string;
  principalIdentifier: string;
  ipAddress?: string;
  versionNumber: number;
  clientInitiatedDisconnect?: boolean;
  disconnectReason?: string;
}
