// document.title: the screen's own title (each Page sets it), after a prefix
// while finished batches are unread (components/BatchNotices.tsx), so a
// background tab shows that something finished.
import { guidanceTexts, serviceName } from "./texts.ts";

let screen = "";
let prefix = "";

function apply() {
  document.title = `${prefix}${screen ? guidanceTexts.documentTitle(screen) : serviceName}`;
}

/** The title of the screen shown. */
export function setScreenTitle(title: string) {
  screen = title;
  apply();
}

/** Put before the screen's title ("" for none). */
export function setTitlePrefix(text: string) {
  prefix = text;
  apply();
}

let screensShown = 0;

/**
 * Whether a screen being shown replaces another (focus then moves to its
 * heading); false for the first screen of a page load, where focus stays at
 * the top of the document and the skip link is the first stop.
 */
export function isScreenChange(): boolean {
  screensShown += 1;
  return screensShown > 1;
}
