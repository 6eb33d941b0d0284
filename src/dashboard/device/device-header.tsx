/** Who the device is and how it stands: place, presence, LED, latest reading, firmware. */
import type { ComponentChildren } from 'preact';
import type { DeviceView } from '../../api/dashboard-types.js';
import { href } from '../router.js';
import { formatTemp, Led, StatusBadge } from '../ui.js';

interface Props {
  device: DeviceView;
  /** The newest temperature with the unit it was measured in. */
  reading: { temp: number | undefined; unit: string | undefined };
  firmware: string | undefined;
}

export function DeviceHeader({ device, reading, firmware }: Props) {
  return (
    <header class="panel device-header">
      <a href={href.fleet()} class="back-link" data-testid="back-to-fleet">
        ← Fleet
      </a>
      <div class="device-title">
        <h1>{device.thing}</h1>
        <span class="muted">{[...new Set([device.city, device.group].filter(Boolean))].join(' · ') || 'not in fleet.yaml'}</span>
      </div>
      <dl class="device-facts">
        <Fact label="Connection">
          <span data-testid="device-online" data-online={device.online}>
            <span class={device.online ? 'online-dot on' : 'online-dot'} aria-hidden="true" /> {device.online ? 'online' : 'offline'}
          </span>
        </Fact>
        <Fact label="LED">
          <Led led={device.led} />
        </Fact>
        <Fact label="Temperature">
          <span class="big-number" data-testid="device-temp">
            {formatTemp(reading.temp, reading.unit)}
          </span>
        </Fact>
        <Fact label="Humidity">
          <span class="big-number">{device.humid === undefined ? '—' : `${device.humid.toFixed(0)} %`}</span>
        </Fact>
        <Fact label="Unit">{device.tempUnit ?? '—'}</Fact>
        <Fact label="Firmware">{firmware ? <code>{firmware}</code> : '—'}</Fact>
        <Fact label="Newest job">
          {device.job ? (
            <a href={href.job(device.job.jobId)} class="newest-job">
              {device.job.jobId} <StatusBadge status={device.job.status} />
            </a>
          ) : (
            '—'
          )}
        </Fact>
      </dl>
    </header>
  );
}

function Fact({ label, children }: { label: string; children: ComponentChildren }) {
  return (
    <div class="fact">
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}
