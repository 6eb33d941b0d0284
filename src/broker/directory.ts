/**
 * What the broker must know about registered things to authorise them. The cloud's thing
 * registry (src/cloud/registry/registry.ts) implements it.
 */
export interface DeviceDirectory {
  /** The thing's own telemetry topic, or undefined when no such thing is registered. */
  telemetryTopicOf(thingName: string): string | undefined;
}
