/**
 * The world's land as one SVG path, from Natural Earth's 1:110m land (the world-atlas package,
 * bundled into the page: no map tiles, no internet). Equirectangular: x = lon, y = −lat.
 */
import { feature } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
import land110m from 'world-atlas/land-110m.json';

export const MAP_WIDTH = 1000;
const MAP_HEIGHT = 500;

export const project = (lon: number, lat: number): [number, number] => [((lon + 180) / 360) * MAP_WIDTH, ((90 - lat) / 180) * MAP_HEIGHT];

function ringPath(ring: number[][]): string {
  let d = '';
  let lastLon: number | undefined;
  for (const p of ring) {
    const [lon, lat] = p;
    if (lon === undefined || lat === undefined) continue;
    const [x, y] = project(lon, lat);
    // A jump across the antimeridian would draw a line across the whole map: move instead.
    const jump = lastLon === undefined || Math.abs(lon - lastLon) > 180;
    d += `${jump ? 'M' : 'L'}${x.toFixed(1)},${y.toFixed(1)}`;
    lastLon = lon;
  }
  return d;
}

function buildLandPath(): string {
  const topology = land110m as unknown as Topology<{ land: GeometryCollection }>;
  const land = feature(topology, topology.objects.land);
  const parts: string[] = [];
  for (const f of land.features) {
    const g = f.geometry;
    const polygons = g.type === 'MultiPolygon' ? g.coordinates : g.type === 'Polygon' ? [g.coordinates] : [];
    for (const polygon of polygons) for (const ring of polygon) parts.push(ringPath(ring));
  }
  return parts.join('');
}

export const LAND_PATH = buildLandPath();
