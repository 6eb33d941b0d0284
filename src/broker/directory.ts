/**
 * What the broker must know about registered things to authorise them. The cloud's thing
 * registry (src/cloud/registry/registry.ts) implements it.
 */
export interface DeviceDirectory {
  /** True for every registered thing: its client id is then a device's, never an operator's. */
  isRegistered(thingName: string): boolean;
  /** The thing's own telemetry topic; undefined when it has none (or is not registered). */
  telemetryTopicOf(thingName: string): string | undefined;
}
