#!/usr/bin/env node
// Draws build/icon.png (512×512): a white map pin on a rounded blue square, with a
// dashed "probe" ring around the pin's tip. Run `node build/make-icon.mjs` to regenerate;
// no image tools needed (plain zlib + a PNG writer). electron-builder derives the macOS
// .icns and Windows .ico from this file.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

const SIZE = 512;
const SS = 4; // supersampling per axis

const cx = 256;
const cy = 210;
const r = 112; // pin head
const apex = { x: 256, y: 420 };
const hole = 46;
const d = apex.y - cy;
const alpha = Math.acos(r / d);
const tl = { x: cx - r * Math.sin(alpha), y: cy + r * Math.cos(alpha) };
const tr = { x: cx + r * Math.sin(alpha), y: cy + r * Math.cos(alpha) };

function inTriangle(x, y, a, b, c) {
  const s = (p, q, rr) => (p.x - rr.x) * (q.y - rr.y) - (q.x - rr.x) * (p.y - rr.y);
  const pt = { x, y };
  const d1 = s(pt, a, b);
  const d2 = s(pt, b, c);
  const d3 = s(pt, c, a);
  const neg = d1 < 0 || d2 < 0 || d3 < 0;
  const pos = d1 > 0 || d2 > 0 || d3 > 0;
  return !(neg && pos);
}

function inRoundedSquare(x, y) {
  const m = 24;
  const rad = 96;
  const qx = Math.max(Math.abs(x - 256) - (256 - m - rad), 0);
  const qy = Math.max(Math.abs(y - 256) - (256 - m - rad), 0);
  return Math.hypot(qx, qy) <= rad;
}

/** [r, g, b, a] of one sample point. */
function sample(x, y) {
  if (!inRoundedSquare(x, y)) return [0, 0, 0, 0];
  const t = y / SIZE; // vertical gradient
  const bg = [Math.round(22 + 10 * t), Math.round(94 - 30 * t), Math.round(196 - 60 * t), 255];
  const dc = Math.hypot(x - cx, y - cy);
  const inPin = dc <= r || inTriangle(x, y, tl, tr, apex);
  if (inPin) return dc <= hole ? [17, 24, 39, 255] : [255, 255, 255, 255];
  // probe ring: an ellipse around the tip, dashed
  const ex = (x - apex.x) / 150;
  const ey = (y - apex.y - 4) / 36;
  const e = Math.hypot(ex, ey);
  const angle = Math.atan2(ey, ex);
  if (Math.abs(e - 1) < 0.14 && y > apex.y - 16 && Math.sin(angle * 9) > -0.3) return [125, 211, 252, 255];
  return bg;
}

const raw = Buffer.alloc(SIZE * (SIZE * 4 + 1));
for (let y = 0; y < SIZE; y++) {
  const row = y * (SIZE * 4 + 1);
  raw[row] = 0; // filter: none
  for (let x = 0; x < SIZE; x++) {
    const acc = [0, 0, 0, 0];
    for (let sy = 0; sy < SS; sy++) {
      for (let sx = 0; sx < SS; sx++) {
        const c = sample(x + (sx + 0.5) / SS, y + (sy + 0.5) / SS);
        // premultiply so edges against transparency stay clean
        acc[0] += c[0] * c[3];
        acc[1] += c[1] * c[3];
        acc[2] += c[2] * c[3];
        acc[3] += c[3];
      }
    }
    const o = row + 1 + x * 4;
    const a = acc[3] / (SS * SS);
    raw[o] = a ? Math.round(acc[0] / acc[3]) : 0;
    raw[o + 1] = a ? Math.round(acc[1] / acc[3]) : 0;
    raw[o + 2] = a ? Math.round(acc[2] / acc[3]) : 0;
    raw[o + 3] = Math.round(a);
  }
}

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

const ihdr = Buffer.alloc(13);
ihdr.writeUInt32BE(SIZE, 0);
ihdr.writeUInt32BE(SIZE, 4);
ihdr[8] = 8; // bit depth
ihdr[9] = 6; // RGBA
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk('IHDR', ihdr),
  chunk('IDAT', deflateSync(raw, { level: 9 })),
  chunk('IEND', Buffer.alloc(0)),
]);
const out = join(dirname(fileURLToPath(import.meta.url)), 'icon.png');
writeFileSync(out, png);
console.log(`${out}: ${png.length} bytes`);
