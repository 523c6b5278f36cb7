// The dashboard's plotly.js (make plotly-bundle): plotly.js's core (which holds the scatter trace)
// with only the trace types the dashboard's figures draw (dashboards/figures.py), 1.4 MB minified
// instead of the 4.8 MB of every trace type that plotly.py ships. Written to
// ../assets/plotly-dashboard.min.js, which Dash loads with the page; dcc.Graph then uses that
// window.Plotly and never asks for plotly.py's bundle. plotly.js's version must be the one of the
// plotly Python package (tests/unit/test_plotly_bundle.py checks both, and the trace types).
'use strict';

const fs = require('fs');
const path = require('path');
const esbuild = require('esbuild');

// One home of the trace types: a figure needing another one fails tests/unit/test_plotly_bundle.py.
const TRACES = ['bar', 'heatmap', 'choropleth', 'scattergeo'];
const OUTFILE = path.join(__dirname, '..', 'assets', 'plotly-dashboard.min.js');

const version = require('plotly.js/package.json').version;
const entry = [
    "var Plotly = require('plotly.js/lib/core');",
    `Plotly.register([${TRACES.map((t) => `require('plotly.js/lib/${t}')`).join(', ')}]);`,
    'module.exports = Plotly;',
].join('\n');

esbuild.buildSync({
    stdin: { contents: entry, resolveDir: __dirname, sourcefile: 'entry.js' },
    outfile: OUTFILE,
    bundle: true,
    minify: true,
    format: 'iife',
    globalName: 'Plotly',
    target: 'es2016',
    // as plotly.js's own build (its esbuild-config.js)
    define: { global: 'window', 'define.amd': 'false' },
    alias: { regl: '@plotly/regl', stream: 'stream-browserify' },
    // maplibre-gl's stylesheet, which only the map traces (not bundled) need
    loader: { '.css': 'empty' },
    legalComments: 'none',
    banner: {
        js: `/*! plotly.js ${version} (MIT, Plotly, Inc.) traces: scatter ${TRACES.join(' ')}; built by dashboards/plotly_bundle/build.js */`,
    },
});
console.log(`${path.relative(process.cwd(), OUTFILE)}: plotly.js ${version}, ${fs.statSync(OUTFILE).size} bytes`);
