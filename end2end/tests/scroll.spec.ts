// Scrolling loads older photos by itself. It adds more than a page of photos, so
// it runs after every other test (its own project in playwright.config.ts): the
// others expect their photos on the first page.
import { expect, png, test, uploadByApi } from "./fixtures";
import { GalleryPage } from "./gallery-page";

test("scrolling to the end loads older photos by itself, the page address staying", async ({ page, request }) => {
  test.setTimeout(90_000);
  const oldest = png("oldest", 30, 20, 9);
  await uploadByApi(request, oldest);
  // More than a page (60) of newer photos.
  for (let i = 0; i < 64; i++) await uploadByApi(request, png("newer", 30, 20, 10 + i));
  const gallery = new GalleryPage(page);

  await gallery.open();
  await expect(gallery.tileOf(oldest)).toHaveCount(0);
  await expect(page.getByTestId("older")).toBeVisible();

  await page.getByTestId("older").scrollIntoViewIfNeeded();
  await expect(gallery.tileOf(oldest)).toHaveCount(1, { timeout: 15_000 });
  expect(new URL(page.url()).search).toBe("");
});
