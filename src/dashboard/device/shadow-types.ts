/** GetThingShadow's answer (AWS iot-data), as far as the page reads it. */
export type JsonObject = Record<string, unknown>;

export interface ShadowDocument {
  state?: { desired?: JsonObject | null; reported?: JsonObject | null; delta?: JsonObject | null };
  metadata?: { desired?: JsonObject; reported?: JsonObject };
  version?: number;
  /** Epoch seconds of the answer. */
  timestamp?: number;
}

/** The device's reported value of `key`, when it is a string. */
export function reportedString(shadow: ShadowDocument | undefined, key: string): string | undefined {
  const v = shadow?.state?.reported?.[key];
  return typeof v === 'string' ? v : undefined;
}

export function desiredString(shadow: ShadowDocument | undefined, key: string): string | undefined {
  const v = shadow?.state?.desired?.[key];
  return typeof v === 'string' ? v : undefined;
}
