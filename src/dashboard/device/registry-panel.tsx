/** The thing's registry record: type, groups and attributes, as DescribeThing would give them. */
import { Fragment } from 'preact';
import type { DeviceThing } from '../../api/dashboard-device-types.js';

export function RegistryPanel({ thing }: { thing: DeviceThing | undefined }) {
  if (!thing) return <p class="muted">Not registered: the cloud only heard it on the broker.</p>;
  const attributes = Object.entries(thing.attributes);
  return (
    <dl class="registry" data-testid="device-registry">
      <dt>Thing type</dt>
      <dd>{thing.thingTypeName ?? '—'}</dd>
      <dt>Groups</dt>
      <dd>{thing.groups.length > 0 ? thing.groups.join(', ') : '—'}</dd>
      {attributes.map(([k, v]) => (
        <Fragment key={k}>
          <dt>{k}</dt>
          <dd>{v}</dd>
        </Fragment>
      ))}
      <dt>Version</dt>
      <dd>{thing.version}</dd>
      <dt>ARN</dt>
      <dd class="arn">
        <code>{thing.thingArn}</code>
      </dd>
    </dl>
  );
}
