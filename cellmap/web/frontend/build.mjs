// Builds the workbench front end into ../static: app.js + app.css (esbuild, minified) and
// borders.geojson (Syria and its neighbours, from the world-atlas package via topojson-client).
// Nothing is fetched at run time: every asset the page needs is in ../static.
import { build } from "esbuild";
import { readFileSync, writeFileSync, mkdirSync, copyFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { feature } from "topojson-client";

const require = createRequire(import.meta.url);
const out = new URL("../static/", import.meta.url).pathname;
mkdirSync(out, { recursive: true });

await build({
  entryPoints: ["src/main.js"],
  bundle: true,
  minify: true,
  sourcemap: false,
  format: "iife",
  target: ["chrome110", "firefox110"],
  outfile: out + "app.js",
  legalComments: "linked",
  loader: { ".css": "css" },
  logLevel: "info",
});

// ISO 3166-1 numeric codes: Syria and the countries around it, for context on the map.
const WANTED = { "760": "Syria", "792": "Turkey", "368": "Iraq", "400": "Jordan", "422": "Lebanon",
                 "376": "Israel", "275": "Palestine", "196": "Cyprus" };
const topology = JSON.parse(readFileSync(require.resolve("world-atlas/countries-50m.json"), "utf8"));
const countries = feature(topology, topology.objects.countries);
const kept = countries.features.filter((f) => WANTED[f.id]).map((f) => ({
  type: "Feature", id: Number(f.id),
  properties: { name: WANTED[f.id], syria: f.id === "760" },
  geometry: roundGeometry(f.geometry),
}));
writeFileSync(out + "borders.geojson", JSON.stringify({ type: "FeatureCollection", features: kept }));
copyFileSync("src/index.html", out + "index.html");
// The API documentation page (/docs) uses Swagger UI from npm, served from here, not from a CDN.
mkdirSync(out + "swagger", { recursive: true });
const swagger = dirname(require.resolve("swagger-ui-dist/package.json"));
for (const name of ["swagger-ui-bundle.js", "swagger-ui.css", "swagger-ui-bundle.js.LICENSE.txt"]) {
  copyFileSync(`${swagger}/${name}`, `${out}swagger/${name}`);
}
copyFileSync("src/favicon.svg", out + "favicon.svg");
console.log(`borders.geojson: ${kept.length} countries`);

function roundGeometry(geometry) {
  const round = (c) => (typeof c[0] === "number" ? [Math.round(c[0] * 1e4) / 1e4, Math.round(c[1] * 1e4) / 1e4] : c.map(round));
  return { type: geometry.type, coordinates: round(geometry.coordinates) };
}
