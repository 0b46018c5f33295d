// Labels only where they fit (level of detail): items are taken in the caller's order (most
// important first); an item's label is kept when its box, right of the node, lies inside the
// drawing and overlaps no label already kept. Greedy, O(n · kept). Used by the network view and by
// its export, so that what is exported reads as what is seen.
export function placeLabels(items, { width, height, charWidth = 7, lineHeight = 14 }) {
  const kept = [];
  for (const item of items) {
    if (!item.label) continue;
    const box = { item, x: item.x + item.r + 2, y: item.y - lineHeight / 2 - 1, w: charWidth * item.label.length, h: lineHeight };
    if (box.x < 0 || box.y < 0 || box.x + box.w > width || box.y + box.h > height) continue;
    if (kept.some((o) => box.x < o.x + o.w && o.x < box.x + box.w && box.y < o.y + o.h && o.y < box.y + box.h)) continue;
    kept.push(box);
  }
  return kept;
}
