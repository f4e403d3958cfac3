// Reference numbers for tests/test_albers_usa.py: lon/lat points (JSON on stdin) through d3-geo's
// geoAlbersUsa and d3-composite-projections' geoAlbersUsaTerritories at their default scale and
// translate; JSON out: {usa: [[x, y] | null, …], territories: […]}. The packages come from npm into
// the repository's git-ignored node_modules (scripts/test installs them as it installs ESLint).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import * as d3Geo from "d3-geo";
import * as d3Path from "d3-path";

// d3-composite-projections ships its bundle as UMD inside a "type": "module" package, so Node loads
// neither its bundle (as ESM) nor its sources (extensionless imports): run the bundle with its two
// dependencies handed in.
const bundle = createRequire(import.meta.url).resolve("d3-composite-projections");
const composite = {};
new Function("exports", "module", "require", readFileSync(bundle, "utf8"))(
  composite, {}, (name) => ({ "d3-geo": d3Geo, "d3-path": d3Path })[name]);

const points = JSON.parse(readFileSync(0, "utf8"));
const usa = d3Geo.geoAlbersUsa(), territories = composite.geoAlbersUsaTerritories();
process.stdout.write(JSON.stringify({
  scale: territories.scale(), translate: territories.translate(),
  usa: points.map((p) => usa(p)), territories: points.map((p) => territories(p)),
}));
