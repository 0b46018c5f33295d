// Undo/redo of view actions: each action first pushes a snapshot of the view; undo restores the
// last one (and keeps the present for redo). Bounded, so a day's work does not grow without end.
const LIMIT = 200;

export class History {
  constructor(capture, restore, onChange = () => {}) {
    this.capture = capture;
    this.restore = restore;
    this.onChange = onChange;
    this.past = [];
    this.future = [];
  }
  push() {
    this.past.push(structuredClone(this.capture()));
    if (this.past.length > LIMIT) this.past.shift();
    this.future = [];
    this.onChange();
  }
  async undo() {
    if (!this.past.length) return;
    this.future.push(structuredClone(this.capture()));
    await this.restore(this.past.pop());
    this.onChange();
  }
  async redo() {
    if (!this.future.length) return;
    this.past.push(structuredClone(this.capture()));
    await this.restore(this.future.pop());
    this.onChange();
  }
  canUndo() { return this.past.length > 0; }
  canRedo() { return this.future.length > 0; }
  // The address bar mirrors the view (bookmarkable) without adding browser history entries.
  replaceAddress(hash) { window.history.replaceState(null, "", hash); }
}
