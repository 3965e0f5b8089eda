import type { Spec } from 'vega';
import type { ComparisonRow } from './comparison';
import { VARIANTS, variantLabel } from './variants';

/**
 * The suite's chart: grouped bars of throughput and p99 latency, one panel per model and metric,
 * one group per concurrency, one bar per server and client. Both axes are logarithmic: the servers
 * differ by orders of magnitude. Rendered to SVG headless by vega (no canvas needed).
 */

const PANEL_WIDTH = 380;
const PANEL_HEIGHT = 220;

/** Color families per server (ceilings grey, Proton blue, JS worker orange, node:http red), darker for binary. */
const VARIANT_COLORS: Readonly<Record<string, string>> = {
  'ort-ceiling/in-process': '#4d4d4d',
  'http-ceiling/rest-binary': '#969696',
  'http-ceiling/rest-json': '#c8c8c8',
  'grpc-ceiling/grpc': '#737373',
  'proton/rest-binary': '#08519c',
  'proton/rest-json': '#6baed6',
  'proton/grpc': '#3182bd',
  'js-worker/rest-binary': '#a63603',
  'js-worker/rest-json': '#fdae6b',
  'js-worker/grpc': '#e6550d',
  'ort-event-loop/rest-binary': '#54278f',
  'ort-event-loop/grpc': '#9e9ac8',
  'node-http/rest-json': '#de2d26',
  'node-http/rest-binary': '#a50f15',
};

const METRICS = [
  { name: 'throughput (req/s)', value: (row: ComparisonRow) => row.throughput },
  { name: 'p99 latency (ms)', value: (row: ComparisonRow) => row.latency.p99 },
];

interface Bar {
  panel: number;
  title: string;
  concurrency: string;
  concurrencyOrder: number;
  variant: string;
  value: number;
}

/** The Vega spec of the chart; `subtitle` names the machine. */
export function chartSpec(rows: readonly ComparisonRow[], subtitle: string): Spec {
  const models = [...new Set(rows.map((row) => row.model))];
  const bars: Bar[] = [];
  METRICS.forEach((metric, metricIndex) => {
    models.forEach((model, modelIndex) => {
      for (const row of rows) {
        const value = metric.value(row);
        // A log scale has no room for 0: cells without a successful request get no bar.
        if (row.model !== model || !(value > 0)) continue;
        bars.push({
          panel: metricIndex * models.length + modelIndex,
          title: `${model}: ${metric.name}`,
          concurrency: `c=${row.concurrency}`,
          concurrencyOrder: row.concurrency,
          variant: variantLabel(row),
          value,
        });
      }
    });
  });
  const present = VARIANTS.filter((variant) => rows.some((row) => row.server === variant.server && row.client === variant.client));
  return {
    $schema: 'https://vega.github.io/schema/vega/v6.json',
    background: 'white',
    padding: 16,
    autosize: 'pad',
    title: { text: 'Proton benchmark suite: throughput and p99 latency (log scales)', subtitle, anchor: 'start', fontSize: 16 },
    data: [{ name: 'bars', values: bars }],
    layout: { columns: Math.max(1, models.length), padding: { row: 40, column: 40 }, bounds: 'full', align: 'all' },
    scales: [
      {
        name: 'color',
        type: 'ordinal',
        domain: present.map(variantLabel),
        range: present.map((variant) => VARIANT_COLORS[`${variant.server}/${variant.client}`] ?? '#000000'),
      },
    ],
    legends: [{ fill: 'color', title: 'server · client', orient: 'bottom', direction: 'horizontal', columns: 4, symbolType: 'square', labelLimit: 320 }],
    marks: [
      {
        type: 'group',
        from: { facet: { name: 'panelBars', data: 'bars', groupby: ['panel', 'title'] } },
        sort: { field: 'datum.panel' },
        title: { text: { signal: 'parent.title' }, anchor: 'start', fontSize: 13 },
        encode: { update: { width: { value: PANEL_WIDTH }, height: { value: PANEL_HEIGHT } } },
        scales: [
          {
            name: 'x',
            type: 'band',
            domain: { data: 'panelBars', field: 'concurrency', sort: { field: 'concurrencyOrder', op: 'min' } },
            range: [0, PANEL_WIDTH],
            padding: 0.12,
          },
          { name: 'y', type: 'log', domain: { data: 'panelBars', field: 'value' }, range: [PANEL_HEIGHT, 0], nice: true },
          { name: 'position', type: 'band', domain: { data: 'panelBars', field: 'variant' }, range: [0, { signal: "bandwidth('x')" }] },
        ],
        axes: [
          { orient: 'bottom', scale: 'x', title: 'requests in flight' },
          { orient: 'left', scale: 'y', grid: true, format: '~g', tickCount: 6 },
        ],
        marks: [
          {
            type: 'group',
            from: { facet: { name: 'levelBars', data: 'panelBars', groupby: 'concurrency' } },
            encode: { update: { x: { scale: 'x', field: 'concurrency' } } },
            marks: [
              {
                type: 'rect',
                from: { data: 'levelBars' },
                encode: {
                  update: {
                    x: { scale: 'position', field: 'variant' },
                    width: { scale: 'position', band: 1 },
                    y: { scale: 'y', field: 'value' },
                    y2: { value: PANEL_HEIGHT },
                    fill: { scale: 'color', field: 'variant' },
                  },
                },
              },
            ],
          },
        ],
      },
    ],
  };
}

/** Renders the chart as an SVG document. */
export async function renderChartSvg(rows: readonly ComparisonRow[], subtitle: string): Promise<string> {
  // vega is ESM-only; a dynamic import() stays a real import in this CommonJS build.
  const vega = await import('vega');
  const view = new vega.View(vega.parse(chartSpec(rows, subtitle)), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
