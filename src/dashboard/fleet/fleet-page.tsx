import { useFleet } from '../live-store.js';

export function FleetPage() {
  const fleet = useFleet();
  return <section class="panel">{fleet.devices.length} devices</section>;
}
