import { describe, expect, it } from 'vitest';
import { contactSheet } from '../../src/data/preview.ts';
import { synthSample } from '../../src/data/scene.ts';
import { drawText, GLYPHS } from '../../src/data/glyphs.ts';

describe('contact sheet', () => {
  it('lays scenes out in a grid with their skeletons and labels', () => {
    const samples = [0, 1, 2].map((i) => synthSample({ seed: 2, index: i, kind: 'hoi', width: 96, height: 80 }));
    const sheet = contactSheet(samples, 2, 64, 4);
    expect([sheet.width, sheet.height, sheet.channels]).toEqual([2 * 64 + 3 * 4, 2 * 64 + 3 * 4, 3]);
    expect(sheet.data.length).toBe(sheet.width * sheet.height * 3);
    // the empty fourth cell stays white; the label strip of the first cell has white text on a dark strip
    const px = (x: number, y: number) => Array.from(sheet.data.slice((y * sheet.width + x) * 3, (y * sheet.width + x) * 3 + 3));
    expect(px(4 + 64 + 4 + 32, 4 + 64 + 4 + 32)).toEqual([255, 255, 255]);
    let white = 0, dark = 0;
    for (let y = 4; y < 4 + 11; y++) for (let x = 4; x < 4 + 60; x++) {
      const [r, g, b] = px(x, y);
      if (r === 255 && g === 255 && b === 255) white++;
      else if (r < 120 && g < 120 && b < 120) dark++;
    }
    expect(white).toBeGreaterThan(20);
    expect(dark).toBeGreaterThan(white);
  });

  it('has a glyph for every character of the action and category names', () => {
    const names = 'abcdefghijklmnopqrstuvwxyz/_- ';
    for (const c of names) expect(GLYPHS[c.toUpperCase()], c).toBeDefined();
    const ink: Array<[number, number]> = [];
    drawText('hi', 0, 0, 100, (x, y) => ink.push([x, y]));
    expect(ink).toContainEqual([0, 0]); // H's top-left
    expect(ink.every(([x]) => x < 12)).toBe(true);
  });
});
