/** Reading MQTT payloads: devices treat anything that is not a JSON object as malformed. */
export type JsonRecord = Record<string, unknown>;

export const isRecord = (v: unknown): v is JsonRecord => typeof v === 'object' && v !== null && !Array.isArray(v);

export function parseObject(payload: Buffer): JsonRecord | undefined {
  try {
    const v: unknown = JSON.parse(payload.toString('utf8'));
    return isRecord(v) ? v : undefined;
  } catch {
    return undefined;
  }
}
