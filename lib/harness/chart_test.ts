import assert from "node:assert/strict";
import { fillTemplate, renderSvg } from "./chart.ts";

const template = {
  $schema: "https://vega.github.io/schema/vega-lite/v6.json",
  data: { name: "rows" },
  layer: [
    {
      mark: "line",
      encoding: {
        x: { field: "t", type: "quantitative" },
        y: { field: "y", type: "quantitative" },
      },
    },
    {
      data: { values: [{ y: 1 }] },
      mark: "rule",
      encoding: { y: { field: "y", type: "quantitative" } },
    },
  ],
};

Deno.test("chart: rows replace the named data source; NaN becomes null; other data stays", () => {
  const spec = fillTemplate(template, [{ t: 0, y: 1 }, { t: 1, y: NaN }]);
  assert.deepEqual(spec.data, { values: [{ t: 0, y: 1 }, { t: 1, y: null }] });
  assert.deepEqual((spec.layer as { data?: unknown }[])[1].data, { values: [{ y: 1 }] });
  assert.throws(() => fillTemplate({ mark: "point" }, []), /no data source named "rows"/);
});

Deno.test("chart: a filled spec renders to an SVG with marks and text", async () => {
  const svg = await renderSvg(fillTemplate(template, [{ t: 0, y: 0 }, { t: 1, y: 2 }]));
  assert.match(svg, /^<svg/);
  assert.match(svg, /<path/);
  assert.match(svg, /<text/);
});
