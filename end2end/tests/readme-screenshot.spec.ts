// The README's screenshot, taken from a real gallery. Kept in the test output on
// every run; UPDATE_SCREENSHOT=1 also writes it to docs/screenshot.png.
import * as fs from "node:fs";
import * as path from "node:path";
import { expect, jpg, png, test } from "./fixtures";
import { GalleryPage } from "./gallery-page";

test("a gallery with a few images looks like the README says", async ({ page }, testInfo) => {
  await page.setViewportSize({ width: 1100, height: 760 });
  const gallery = new GalleryPage(page);
  await gallery.open();
  const files = [png("sunset", 320, 240, 11), jpg("harbour", 320, 240, 23), png("forest", 240, 240, 37)];

  await gallery.fileInput.setInputFiles(files);
  for (const file of files) {
    await gallery.expectUploaded(file);
  }

  const shot = testInfo.outputPath("screenshot.png");
  await page.screenshot({ path: shot });
  expect(fs.statSync(shot).size).toBeGreaterThan(10_000);
  if (process.env.UPDATE_SCREENSHOT) {
    const target = path.join(__dirname, "..", "..", "docs", "screenshot.png");
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.copyFileSync(shot, target);
  }
});
