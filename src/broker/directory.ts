/** What the broker must know about registered things to authorise them. */
export interface DeviceDirectory {
  /** The thing's own telemetry topic, or undefined when no such thing is registered. */
  telemetryTopicOf(thingName: string): string | undefined;
}

export class MapDeviceDirectory implements DeviceDirectory {
  private readonly topics = new Map<string, string>();

  set(thingName: string, telemetryTopic: string): void {
    this.topics.set(thingName, telemetryTopic);
  }

  delete(thingName: string): void {
    this.topics.delete(thingName);
  }

  get size(): number {
    return this.topics.size;
  }

  telemetryTopicOf(thingName: string): string | undefined {
    return this.topics.get(thingName);
  }
}
