/**
 * A hand-written SVG bar chart of atrest/Go ratios: one group of horizontal bars per cell, one bar
 * per TypeScript backend, on a log scale with the parity line (1 = as fast as Go) marked. No
 * dependencies; the output is a static file for `docs/`.
 * @module
 */
import { ratioBackends, type RatioRow } from './ratios.js';

const COLORS = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#b07aa1'];
const LABEL_W = 170;
const PLOT_W = 560;
const BAR_H = 7;
const ROW_PAD = 6;
const TOP = 64;

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const label = (r: number): string => (r >= 10 ? r.toFixed(0) : r >= 0.1 ? r.toFixed(2) : r.toFixed(3));

/**
 * @param rows - from `goRatios`
 * @param title - the chart's title line
 * @returns an SVG document
 */
export function ratioChartSvg(rows: readonly RatioRow[], title: string): string {
  const backends = ratioBackends(rows);
  const ratios = rows.flatMap((r) => r.backends.map((b) => b.ratio)).filter((r) => r > 0);
  const lo = Math.floor(Math.log10(Math.min(1, ...ratios)));
  const hi = Math.max(lo + 1, Math.ceil(Math.log10(Math.max(1, ...ratios))));
  const x = (r: number): number => LABEL_W + ((Math.log10(r) - lo) / (hi - lo)) * PLOT_W;
  const rowH = backends.length * (BAR_H + 1) + ROW_PAD;
  const height = TOP + rows.length * rowH + 24;
  const width = LABEL_W + PLOT_W + 60;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="10">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="8" y="16" font-size="13" font-weight="bold">${esc(title)}</text>`,
  ];
  backends.forEach((b, i) => {
    const lx = LABEL_W + i * 110;
    out.push(`<rect x="${lx}" y="26" width="10" height="10" fill="${COLORS[i % COLORS.length]}"/>`, `<text x="${lx + 14}" y="35">${esc(b)} / go</text>`);
  });
  for (let e = lo; e <= hi; e++) {
    const tx = x(10 ** e).toFixed(1);
    const parity = e === 0;
    out.push(
      `<line x1="${tx}" y1="${TOP - 6}" x2="${tx}" y2="${height - 20}" stroke="${parity ? '#333' : '#ddd'}"${parity ? ' stroke-dasharray="4 3"' : ''}/>`,
      `<text x="${tx}" y="${TOP - 9}" text-anchor="middle">${e >= 0 ? String(10 ** e) : (10 ** e).toFixed(-e)}${parity ? ' (parity)' : ''}</text>`,
    );
  }
  rows.forEach((row, i) => {
    const y0 = TOP + i * rowH;
    out.push(`<text x="${LABEL_W - 6}" y="${y0 + (rowH - ROW_PAD) / 2 + 3}" text-anchor="end">${esc(row.cell)}</text>`);
    backends.forEach((b, j) => {
      const v = row.backends.find((e) => e.backend === b);
      if (v === undefined || !(v.ratio > 0)) return;
      const y = y0 + j * (BAR_H + 1);
      const w = Math.max(1, x(v.ratio) - LABEL_W);
      out.push(
        `<rect x="${LABEL_W}" y="${y}" width="${w.toFixed(1)}" height="${BAR_H}" fill="${COLORS[j % COLORS.length]}"/>`,
        `<text x="${(LABEL_W + w + 3).toFixed(1)}" y="${y + BAR_H - 0.5}" font-size="8">${label(v.ratio)}</text>`,
      );
    });
  });
  out.push(`<text x="${LABEL_W}" y="${height - 6}" fill="#555">atrest ops/s divided by Go ops/s, log scale; longer is faster</text>`, '</svg>');
  return `${out.join('\n')}\n`;
}
