import type { BadgeEmblem } from '../../entities/index.js';

/** How each shipped emblem reads in a picker. */
export const emblemLabels: Record<BadgeEmblem, string> = {
  star: 'Star',
  heart: 'Heart',
  trophy: 'Trophy',
  bag: 'Shopping bag',
  compass: 'Compass',
  crown: 'Crown',
  flame: 'Flame',
  leaf: 'Leaf',
};

/** The shipped emblems, each an SVG path on a 24 × 24 grid: nothing is fetched, nothing uploaded. */
const emblemPaths: Record<BadgeEmblem, string> = {
  star: 'M12 2l2.9 6.6 7.1.6-5.4 4.7 1.6 7.1L12 17.3 5.8 21l1.6-7.1L2 9.2l7.1-.6z',
  heart:
    'M12 21s-7.5-4.6-9.6-9.2C.9 8.4 3 4.5 6.6 4.5c2.1 0 3.6 1.2 5.4 3.1 1.8-1.9 3.3-3.1 5.4-3.1 3.6 0 5.7 3.9 4.2 7.3C19.5 16.4 12 21 12 21z',
  trophy:
    'M6 3h12v2h3v3c0 2.8-2 5-4.7 5.4A6 6 0 0113 16.9V19h4v2H7v-2h4v-2.1a6 6 0 01-3.3-3.5C5 13 3 10.8 3 8V5h3zm0 4H5v1c0 1.5.9 2.8 2.2 3.3A6 6 0 016 9zm12 0v2c0 .8-.1 1.6-.4 2.3A3.6 3.6 0 0019 8V7z',
  bag: 'M6 7V6a6 6 0 0112 0v1h3l-1 15H4L3 7zm2 0h8V6a4 4 0 00-8 0z',
  compass: 'M12 2a10 10 0 110 20 10 10 0 010-20zm4.5 5.5l-6.4 2.6-2.6 6.4 6.4-2.6zM12 10.8a1.2 1.2 0 110 2.4 1.2 1.2 0 010-2.4z',
  crown: 'M3 7l4.5 4L12 4l4.5 7L21 7l-2 11H5zm2 13h14v2H5z',
  flame:
    'M12 2s5 4.5 5 10a5 5 0 01-10 0c0-2 1-3.6 2-4.6 0 1.6.8 2.9 2 3.3C10.5 7.5 12 2 12 2zm0 20a7 7 0 01-7-7c0-1 .2-2 .5-2.8A7 7 0 0012 22z',
  leaf: 'M20 3S8 2 4.6 9.2C2.9 12.8 4 16.4 5.5 18L3 20.5 4.5 22 7 19.5c1.6 1.5 5.2 2.6 8.8.9C23 17 20 3 20 3zM8 17c2-4 5-7 9-9-3 2.6-5.6 5.6-7.6 9.5z',
};

const hex = /^#[0-9a-f]{6}$/;

export const isEmblem = (value: unknown): value is BadgeEmblem => typeof value === 'string' && Object.hasOwn(emblemPaths, value);

/**
 * An emblem as inline SVG in its colour (grey when `muted`: a badge still to earn). Only shipped
 * shapes and a checked colour go in, so no member ever receives markup from a form.
 */
export function emblemSvg(emblem: string, colour: string, { size = 48, muted = false, label = '' } = {}): string {
  const shape = isEmblem(emblem) ? emblemPaths[emblem] : emblemPaths.star;
  const fill = muted ? '#9aa0a6' : hex.test(colour) ? colour : '#c27c0e';
  const title = label.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<svg xmlns="http://www.w3.org/2000/svg" class="emblem" width="${size}" height="${size}" viewBox="-2 -2 28 28" role="img" aria-label="${title}"><circle cx="12" cy="12" r="13" fill="${fill}" opacity="0.15"/><path d="${shape}" fill="${fill}"/></svg>`;
}
