/** The page frame: header, navigation, live-feed state, simulated clock, and the routed page. */
import { CreateJobPage } from './create-job/create-job-page.js';
import { DevicePage } from './device/device-page.js';
import { FleetPage } from './fleet/fleet-page.js';
import { JobPage } from './jobs/job-page.js';
import { JobsPage } from './jobs/jobs-page.js';
import { useFleet } from './live-store.js';
import { href, useRoute, type Route } from './router.js';
import { useSimClock } from './sim-clock.js';

export function App() {
  const route = useRoute();
  return (
    <div class="shell">
      <Header route={route} />
      <main class="page">
        <Page route={route} />
      </main>
    </div>
  );
}

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case 'fleet':
      return <FleetPage />;
    case 'device':
      return <DevicePage thing={route.thing} />;
    case 'jobs':
      return <JobsPage />;
    case 'job':
      return <JobPage jobId={route.jobId} />;
    case 'create-job':
      return <CreateJobPage />;
  }
}

function Header({ route }: { route: Route }) {
  const fleet = useFleet();
  const clock = useSimClock();
  const online = fleet.devices.reduce((n, d) => n + (d.online ? 1 : 0), 0);
  const tab = (page: Route['page'][], to: string, label: string, testId: string) => (
    <a href={to} class={page.includes(route.page) ? 'tab active' : 'tab'} data-testid={testId} aria-current={page.includes(route.page) ? 'page' : undefined}>
      {label}
    </a>
  );
  return (
    <header class="topbar">
      <span class="brand">acfleet</span>
      <nav>
        {tab(['fleet', 'device'], href.fleet(), 'Fleet', 'nav-fleet')}
        {tab(['jobs', 'job'], href.jobs(), 'Jobs', 'nav-jobs')}
        {tab(['create-job'], href.createJob(), 'Create job', 'nav-create-job')}
      </nav>
      <span class="spacer" />
      <span class="meta" data-testid="online-count">
        {online} / {fleet.devices.length} online
      </span>
      <span class="meta" title="simulated time (the cloud's clock)">
        {new Date(clock.now).toISOString().slice(0, 19).replace('T', ' ')} UTC{clock.speed !== 1 ? ` · ×${clock.speed}` : ''}
      </span>
      <span class={`feed feed-${fleet.feed}`} data-testid="feed-state" title="live feed from the cloud">
        {fleet.feed}
      </span>
    </header>
  );
}
