/**
 * `#/devices/<thing>`: one device — how it stands, its shadow with buttons to change what is
 * desired, its recent telemetry, its registry record and its job executions. Polls the cloud
 * every couple of wall seconds (the fleet feed carries no shadows or histories).
 */
import type { ComponentChildren } from 'preact';
import type { DeviceDetail } from '../../api/dashboard-device-types.js';
import { call, seg } from '../api.js';
import { href } from '../router.js';
import { DeviceHeader } from './device-header.js';
import { ExecutionsTable } from './executions-table.js';
import { RegistryPanel } from './registry-panel.js';
import { ShadowControls } from './shadow-controls.js';
import { ShadowPanel, ShadowVersion } from './shadow-panel.js';
import { desiredString, reportedString, type ShadowDocument } from './shadow-types.js';
import { TelemetryChart } from './telemetry-chart.js';
import { usePolled } from '../use-polled.js';
import './device.css';

const POLL_WALL_MS = 2000;

export function DevicePage({ thing }: { thing: string }) {
  const detail = usePolled(thing, () => call<DeviceDetail>('GET', `/_acfleet/devices/${seg(thing)}`), POLL_WALL_MS);
  const shadow = usePolled(thing, () => call<ShadowDocument>('GET', `/things/${seg(thing)}/shadow`), POLL_WALL_MS);
  const shadowDoc = shadow.result?.ok ? shadow.result.data : undefined;

  const root = (children: ComponentChildren) => (
    <div class="device-page" data-testid="device-page" data-thing={thing}>
      {children}
    </div>
  );
  if (!detail.result) return root(<p class="muted">Loading {thing}…</p>);
  if (!detail.result.ok) {
    const e = detail.result.error;
    return root(
      <section class="panel">
        <a href={href.fleet()} class="back-link">
          ← Fleet
        </a>
        <h1>{thing}</h1>
        <p class="form-error">{e.status === 404 ? `No thing named ${thing}: it is neither registered nor heard on the broker.` : `${e.type}: ${e.message}`}</p>
      </section>,
    );
  }
  const d = detail.result.data;
  const firmware = reportedString(shadowDoc, 'firmwareVersion') ?? d.thing?.attributes.firmwareVersion;
  // The fleet view's unit follows shadow reports too, so right after a unit change it can name the
  // new unit beside a reading still in the old one: the newest reading carries its own unit.
  const newest = d.telemetry.temp.length - 1;
  const reading = newest >= 0 ? { temp: d.telemetry.temp[newest], unit: d.telemetry.tempUnit[newest] ?? d.device.tempUnit } : { temp: d.device.temp, unit: d.device.tempUnit };

  const onUpdated = (): void => {
    shadow.refresh();
    detail.refresh();
  };

  return root(
    <>
      <DeviceHeader device={d.device} reading={reading} firmware={firmware} />
      <section class="panel">
        <div class="panel-title">
          <h2>Shadow</h2>
          <ShadowVersion result={shadow.result} />
          <span class="muted small">GetThingShadow, every {POLL_WALL_MS / 1000} s</span>
        </div>
        <ShadowControls
          thing={thing}
          desired={{ ledColor: desiredString(shadowDoc, 'ledColor'), tempUnit: desiredString(shadowDoc, 'tempUnit') }}
          reported={{ ledColor: reportedString(shadowDoc, 'ledColor'), tempUnit: reportedString(shadowDoc, 'tempUnit') }}
          onUpdated={onUpdated}
        />
        <ShadowPanel result={shadow.result} />
      </section>
      <div class="device-columns">
        <section class="panel grow">
          <h2>Telemetry</h2>
          <TelemetryChart telemetry={d.telemetry} />
        </section>
        <section class="panel registry-panel">
          <h2>Registry</h2>
          <RegistryPanel thing={d.thing} />
        </section>
      </div>
      <section class="panel">
        <h2>
          Job executions <span class="muted small">newest first</span>
        </h2>
        <ExecutionsTable executions={d.executions} />
      </section>
    </>,
  );
}
