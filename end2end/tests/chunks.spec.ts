// The WASM app's chunks, as a browser fetches them: none before the page has
// loaded (the first screen's photos have the network to themselves), a visitor's gallery never
// fetches the upload widget's code, a signed-in one fetches it before the page
// hydrates (so the widget works at once), the viewer's code comes once the page
// is idle, and a photo's own page hydrates with it. A chunk whose page fails to
// hydrate or whose part does nothing would show here first.
import type { Page } from "@playwright/test";
import { GalleryPage } from "./gallery-page";
import { dropFiles, expect, jpg, test as signedIn, uploadByApi, visitorTest } from "./fixtures";

const UPLOAD_CHUNK = /\/pkg\/split_upload_widget_[^/]*\.wasm$/;
const VIEWER_CHUNK = /\/pkg\/split_viewer_[^/]*\.wasm$/;

/** Every WASM file the page asks for from now on. */
function wasmRequests(page: Page): string[] {
  const seen: string[] = [];
  page.on("request", (request) => {
    if (request.url().endsWith(".wasm")) seen.push(new URL(request.url()).pathname);
  });
  return seen;
}

visitorTest("the app's code is fetched only once the page has loaded, its photos in", async ({ page, request }) => {
  await uploadByApi(request, jpg("after-load"));
  // Slow thumbnails: the page's load waits for the first screen's.
  await page.route(/\/derived\//, async (route) => {
    await new Promise((done) => setTimeout(done, 800));
    await route.continue();
  });
  await new GalleryPage(page).open();
  const timing = await page.evaluate(() => {
    const navigation = performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming;
    const resources = performance.getEntriesByType("resource");
    const thumbnails = resources.filter((entry) => entry.name.includes("/derived/"));
    const app = resources.filter((entry) => entry.name.includes("/pkg/"));
    return {
      load: navigation.loadEventStart,
      thumbnails: thumbnails.length,
      firstApp: Math.min(...app.map((entry) => entry.startTime)),
    };
  });
  expect(timing.thumbnails).toBeGreaterThan(0);
  expect(timing.load).toBeGreaterThan(800);
  expect(timing.firstApp).toBeGreaterThanOrEqual(timing.load);
});

visitorTest("a page whose thumbnails never arrive still starts its app, a few seconds on", async ({ page, request }) => {
  await uploadByApi(request, jpg("never-loads"));
  // Thumbnails held forever: the page's load event never comes.
  await page.route(/\/derived\//, () => {});
  await page.goto("/", { waitUntil: "domcontentloaded" });
  await expect(page.locator('main[data-hydrated="true"]')).toBeAttached({ timeout: 15_000 });
  expect(await page.evaluate(() => document.readyState)).not.toBe("complete");
});

visitorTest("a visitor's gallery never fetches the upload widget; the viewer comes once the page is idle", async ({ page, request }) => {
  const name = await uploadByApi(request, jpg("chunk-visitor"));
  const fetched = wasmRequests(page);
  const gallery = new GalleryPage(page);
  await gallery.open();
  await expect.poll(() => fetched.some((path) => VIEWER_CHUNK.test(path))).toBe(true);
  expect(fetched.filter((path) => UPLOAD_CHUNK.test(path))).toEqual([]);
  await expect(page.getByTestId("upload-area")).toHaveCount(0);

  // The viewer fetched ahead opens at once.
  await page.locator(`[data-testid="gallery-item"][data-name="${name}"] a.frame`).click();
  await expect(page.getByTestId("viewer")).toHaveAttribute("data-name", name);
  expect(fetched.filter((path) => VIEWER_CHUNK.test(path))).toHaveLength(1);
});

signedIn("signed in, the upload widget's chunk is fetched before the page hydrates, and the widget works", async ({ page }) => {
  const fetched = wasmRequests(page);
  const gallery = new GalleryPage(page);
  await gallery.open();
  // Hydrated means the widget's code was here first (the page waits for it).
  expect(fetched.some((path) => UPLOAD_CHUNK.test(path))).toBe(true);
  const file = jpg("chunk-signed-in");
  await dropFiles(page, page.locator("body"), [file]);
  await expect(gallery.tileOf(file)).toBeVisible();
});

signedIn("a photo's own page hydrates with the viewer's chunk: the arrow keys move at once", async ({ page }) => {
  const older = await uploadByApi(page.request, jpg("chunk-older"));
  const newer = await uploadByApi(page.request, jpg("chunk-newer"));
  const fetched = wasmRequests(page);
  await page.goto(`/photo/${newer.split("/").map(encodeURIComponent).join("/")}`);
  await expect(page.locator('main[data-hydrated="true"]')).toBeAttached();
  expect(fetched.some((path) => VIEWER_CHUNK.test(path))).toBe(true);
  // Other tests upload too: move to whatever is older than `newer`, as the API says.
  const view = await (await page.request.get(`/api/photo?name=${encodeURIComponent(newer)}`)).json();
  await page.keyboard.press("ArrowRight");
  await expect(page.getByTestId("viewer")).toHaveAttribute("data-name", view.older?.name ?? older);
});

visitorTest("the sign-in and delete pages are chunks of their own: reached by a click or by their address, with no error", async ({ page }) => {
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  const fetched = wasmRequests(page);
  const gallery = new GalleryPage(page);
  await gallery.open();
  const signInChunk = (path: string) => /\/pkg\/split_sign_in_page_[^/]*\.wasm$/.test(path);
  expect(fetched.filter(signInChunk)).toEqual([]);

  // A click on the bar's link loads the sign-in page, whose chunk comes before it hydrates.
  await page.getByTestId("sign-in").click();
  await expect(page).toHaveURL(/\/signin$/);
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
  // The page shows before its app starts (once it has loaded): the chunk comes then.
  await expect.poll(() => fetched.some(signInChunk), { timeout: 10_000 }).toBe(true);

  // By address: the page hydrates with its chunk fetched first.
  for (const address of ["/signin", "/delete?name=nothing.jpg"]) {
    await page.goto(address);
    await page.waitForLoadState("load");
    // The app's files load when the browser is idle; give the page time to hydrate.
    await expect.poll(() => page.evaluate(() => new Promise((done) => requestIdleCallback(() => done(true))))).toBe(true);
    await page.waitForTimeout(1000);
  }
  expect(fetched.some((path) => /\/pkg\/split_delete_page_[^/]*\.wasm$/.test(path))).toBe(true);
  expect(errors).toEqual([]);
});
